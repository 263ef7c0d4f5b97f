import { expect } from "chai";
import { CONTACT_ROLES, ContactSlot } from "../../src/contacts/contact.enums";
import {
  categoriesOf,
  NOTIFICATION_CATEGORIES,
  type NotificationCategory,
  routeNotification,
  type SlotHolder,
} from "../../src/contacts/notification-routing";

/**
 * The routing written out again by hand, on purpose: an independent expected table is what lets
 * these tests fail when a route in src/contacts/notification-routing.ts changes by mistake.
 */
const EXPECTED_ROUTES: Record<string, string[]> = {
  INVOICE: ["PRIMARY", "BILLING"],
  RECEIPT: ["PRIMARY", "BILLING"],
  ORDER: ["PRIMARY", "BILLING"],
  RENEWAL: ["PRIMARY", "BILLING", "DECISION_MAKER"],
  ACCOUNT_UPDATE: ["PRIMARY"],
  SECURITY: ["PRIMARY", "SECURITY", "TECHNICAL_ADMIN"],
  TECHNICAL: ["PRIMARY", "TECHNICAL_ADMIN"],
  IMPLEMENTATION: ["PRIMARY", "IMPLEMENTATION"],
};

/** One holder per slot, each with an address of its own, in slot order (primary, billing, roles). */
const EVERY_SLOT: SlotHolder<null>[] = [
  { slot: "PRIMARY", email: "primary@example.com", user: null },
  { slot: "BILLING", email: "billing-1@example.com", user: null },
  { slot: "BILLING", email: "billing-2@example.com", user: null },
  ...CONTACT_ROLES.map(
    (role): SlotHolder<null> => ({ slot: role.name as ContactSlot, email: `${role.name.toLowerCase()}@example.com`, user: null }),
  ),
];

describe("unit: notification routing", () => {
  it("has exactly the categories of the expected table", () => {
    expect(NOTIFICATION_CATEGORIES.map((category) => category.name)).to.have.members(Object.keys(EXPECTED_ROUTES));
  });

  for (const [category, slots] of Object.entries(EXPECTED_ROUTES)) {
    it(`routes ${category} to ${slots.join(", ")} and no other slot`, () => {
      const recipients = routeNotification(category as NotificationCategory, EVERY_SLOT);
      const expected = EVERY_SLOT.filter((holder) => slots.includes(holder.slot)).map((holder) => ({
        email: holder.email,
        reasons: [holder.slot],
      }));
      expect(recipients.map(({ email, reasons }) => ({ email, reasons }))).to.deep.equal(expected);
    });
  }

  it("lists one address once, with every slot that makes it a recipient, in first-slot order", () => {
    const same = "owner@example.com";
    const holders: SlotHolder<null>[] = [
      { slot: "PRIMARY", email: same, user: null },
      { slot: "BILLING", email: "other@example.com", user: null },
      { slot: "BILLING", email: same, user: null },
      { slot: "DECISION_MAKER", email: same, user: null },
      { slot: "SECURITY", email: same, user: null },
    ];
    expect(routeNotification("RENEWAL", holders).map(({ email, reasons }) => ({ email, reasons }))).to.deep.equal([
      { email: same, reasons: ["PRIMARY", "BILLING", "DECISION_MAKER"] },
      { email: "other@example.com", reasons: ["BILLING"] },
    ]);
  });

  it("names for each slot the categories it receives, from the same table", () => {
    for (const slot of ["PRIMARY", "BILLING", ...CONTACT_ROLES.map((role) => role.name)]) {
      const expected = Object.entries(EXPECTED_ROUTES)
        .filter(([, slots]) => slots.includes(slot))
        .map(([name]) => name);
      expect(
        categoriesOf(slot as ContactSlot).map((category) => category.name),
        slot,
      ).to.deep.equal(expected);
    }
  });
});
