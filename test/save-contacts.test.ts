import { expect } from "chai";
import { parse, print } from "graphql";
import { CONTACT_ROLES } from "../src/contacts/contact.enums";
import { startTestServer, type TestServer } from "./helpers/server";
import {
  ACCOUNT_FIELDS,
  accountWithMembers,
  addMember,
  failsWith,
  mutate,
  ok,
  readAccount,
  readHistory,
  type AccountState,
} from "./helpers/factories";

const SAVE = `mutation($input: SaveAccountContactsInput!) { saveAccountContacts(input: $input) { account { ${ACCOUNT_FIELDS} } } }`;

interface Form {
  accountId: string;
  expectedVersion: number;
  primaryContactUserId?: string;
  billingContactUserIds?: string[];
  roleContacts?: { role: string; userId?: string; email?: string; clear?: boolean }[];
}

describe("saving the whole contact form (saveAccountContacts)", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ env: { MUTATION_RATE_LIMIT: "0" } });
  });
  after(() => server.close());

  /** Saves the form; `data.saveAccountContacts` is the account after the change. */
  const save = async (token: string, input: Form) => {
    const response = await server.graphql<{ saveAccountContacts: AccountState }>(SAVE, { input }, token);
    const payload = response.data?.saveAccountContacts as { account: AccountState } | null | undefined;
    if (payload) response.data!.saveAccountContacts = payload.account;
    return response;
  };

  it("replaces every slot at once, with one history row per slot that changed and one version step", async () => {
    const { admin, account, members } = await accountWithMembers(server, 3, "save");
    const [a, b, c] = members as [(typeof members)[0], (typeof members)[0], (typeof members)[0]];
    const before = await readHistory(server, admin.token, account.id);
    const saved = ok(
      await save(admin.token, {
        accountId: account.id,
        expectedVersion: account.contactsVersion,
        primaryContactUserId: a.id,
        billingContactUserIds: [b.id, c.id],
        roleContacts: [
          { role: "TECHNICAL_ADMIN", userId: c.id },
          { role: "SECURITY", email: "Sec@Partner.example" },
        ],
      }),
    ).saveAccountContacts;
    expect(saved.contactsVersion).to.equal(account.contactsVersion + 1);
    expect(saved.primaryContact.id).to.equal(a.id);
    expect(saved.billingContacts.map((user) => user.id)).to.deep.equal([b.id, c.id]);
    expect(saved.roleContacts.map((role) => [role.role, role.email, role.isExternal])).to.deep.equal([
      ["SECURITY", "sec@partner.example", true],
      ["TECHNICAL_ADMIN", c.email, false],
    ]);
    const added = (await readHistory(server, admin.token, account.id)).slice(0, -before.length);
    expect(added.map((row) => `${row.slot} ${row.action} ${row.previousEmail} ${row.newEmail}`).sort()).to.deep.equal(
      [
        `PRIMARY SET ${admin.email} ${a.email}`,
        `BILLING ADD null ${b.email}`,
        `BILLING ADD null ${c.email}`,
        `TECHNICAL_ADMIN SET null ${c.email}`,
        `SECURITY SET null sec@partner.example`,
      ].sort(),
    );
  });

  it("changes nothing, and writes no history, when the form is saved unchanged", async () => {
    const { admin, account, members } = await accountWithMembers(server, 1, "same");
    const form = {
      accountId: account.id,
      expectedVersion: account.contactsVersion,
      primaryContactUserId: admin.id,
      billingContactUserIds: [members[0]!.id],
      roleContacts: [{ role: "DECISION_MAKER", userId: admin.id }],
    };
    const first = ok(await save(admin.token, form)).saveAccountContacts;
    const historyLength = (await readHistory(server, admin.token, account.id)).length;
    const again = ok(await save(admin.token, { ...form, expectedVersion: first.contactsVersion })).saveAccountContacts;
    expect(again.contactsVersion).to.equal(first.contactsVersion);
    expect(await readHistory(server, admin.token, account.id)).to.have.lengthOf(historyLength);
  });

  it("clears only the roles the input clears explicitly, and removes billing contacts the list drops", async () => {
    const { admin, account, members } = await accountWithMembers(server, 2, "drop");
    const [a, b] = members as [(typeof members)[0], (typeof members)[0]];
    const full = ok(
      await save(admin.token, {
        accountId: account.id,
        expectedVersion: account.contactsVersion,
        primaryContactUserId: admin.id,
        billingContactUserIds: [a.id, b.id],
        roleContacts: [
          { role: "DECISION_MAKER", userId: a.id },
          { role: "IMPLEMENTATION", userId: b.id },
        ],
      }),
    ).saveAccountContacts;
    const trimmed = ok(
      await save(admin.token, {
        accountId: account.id,
        expectedVersion: full.contactsVersion,
        primaryContactUserId: admin.id,
        billingContactUserIds: [b.id],
        roleContacts: [{ role: "DECISION_MAKER", clear: true }],
      }),
    ).saveAccountContacts;
    expect(trimmed.billingContacts.map((user) => user.id)).to.deep.equal([b.id]);
    expect(trimmed.roleContacts.map((role) => role.role)).to.deep.equal(["IMPLEMENTATION"]);
    const [latest, previous] = await readHistory(server, admin.token, account.id);
    expect([latest, previous].map((row) => `${row!.slot} ${row!.action}`).sort()).to.deep.equal(["BILLING REMOVE", "DECISION_MAKER CLEAR"]);
  });

  it("leaves every slot the input does not name as it is: a client written before a role existed never clears it", async () => {
    const { admin, account, members } = await accountWithMembers(server, 3, "partial");
    const [a, b, c] = members as [(typeof members)[0], (typeof members)[0], (typeof members)[0]];
    const roles = CONTACT_ROLES.map((role) => role.name);
    const newest = roles[roles.length - 1]!;
    const set = ok(
      await save(admin.token, {
        accountId: account.id,
        expectedVersion: account.contactsVersion,
        primaryContactUserId: a.id,
        billingContactUserIds: [b.id],
        roleContacts: roles.map((role) => ({ role, userId: c.id })),
      }),
    ).saveAccountContacts;
    // The form of a client built when the newest role did not exist yet: it sends every role it knows.
    const oldForm = parse(`mutation Save($accountId: ID!, $version: Int!, $primary: ID!, $billing: [ID!]!, $holder: ID!) {
      saveAccountContacts(input: { accountId: $accountId, expectedVersion: $version, primaryContactUserId: $primary, billingContactUserIds: $billing,
        roleContacts: [${roles
          .slice(0, -1)
          .map((role) => `{ role: ${role}, userId: $holder }`)
          .join(", ")}] }) { account { ${ACCOUNT_FIELDS} } }
    }`);
    expect(print(oldForm)).not.to.include(newest);
    const old = await server.graphql<{ saveAccountContacts: { account: AccountState } }>(
      print(oldForm),
      {
        accountId: account.id,
        version: set.contactsVersion,
        primary: admin.id,
        billing: [b.id],
        holder: a.id,
      },
      admin.token,
    );
    const after = ok(old).saveAccountContacts.account;
    expect(after.roleContacts.map((role) => [role.role, role.email])).to.deep.equal(
      roles.map((role) => [role, role === newest ? c.email : a.email]),
    );

    // Left out entirely, the primary contact, billing contacts and roles stay; only what is named changes.
    const onlyBilling = ok(
      await save(admin.token, { accountId: account.id, expectedVersion: after.contactsVersion, billingContactUserIds: [] }),
    ).saveAccountContacts;
    expect(onlyBilling.primaryContact.id).to.equal(admin.id);
    expect(onlyBilling.billingContacts).to.deep.equal([]);
    expect(onlyBilling.roleContacts).to.have.lengthOf(roles.length);
    const [latest] = await readHistory(server, admin.token, account.id);
    expect(`${latest!.slot} ${latest!.action}`).to.equal("BILLING REMOVE");
  });

  it("refuses an entry that clears a role and names a contact, on its clear field", async () => {
    const { admin, account, members } = await accountWithMembers(server, 1, "clearboth");
    const error = failsWith(
      await save(admin.token, {
        accountId: account.id,
        expectedVersion: account.contactsVersion,
        roleContacts: [{ role: "DECISION_MAKER", clear: true, userId: members[0]!.id }],
      }),
      "BAD_USER_INPUT",
    );
    expect(error.extensions!.invalidFields.map((entry: { field: string }) => entry.field)).to.deep.equal(["input.roleContacts.0.clear"]);
  });

  it("swaps a billing contact at the cap of 3, keeping the others in their places", async () => {
    const { admin, account, members } = await accountWithMembers(server, 4, "swap");
    const ids = members.map((member) => member.id);
    const full = ok(
      await save(admin.token, {
        accountId: account.id,
        expectedVersion: account.contactsVersion,
        primaryContactUserId: admin.id,
        billingContactUserIds: ids.slice(0, 3),
        roleContacts: [],
      }),
    ).saveAccountContacts;
    const swapped = ok(
      await save(admin.token, {
        accountId: account.id,
        expectedVersion: full.contactsVersion,
        primaryContactUserId: admin.id,
        billingContactUserIds: [ids[3]!, ids[0]!, ids[2]!],
        roleContacts: [],
      }),
    ).saveAccountContacts;
    // Kept contacts keep their place ("in the order added"); the new one comes after them.
    expect(swapped.billingContacts.map((user) => user.id)).to.deep.equal([ids[0], ids[2], ids[3]]);
  });

  it("refuses a stale expectedVersion with VERSION_CONFLICT and changes nothing", async () => {
    const { admin, account, members } = await accountWithMembers(server, 1, "stale");
    ok(await mutate(server, admin.token, "addBillingContact", { accountId: account.id, userId: members[0]!.id }));
    const error = failsWith(
      await save(admin.token, {
        accountId: account.id,
        expectedVersion: account.contactsVersion,
        primaryContactUserId: members[0]!.id,
        billingContactUserIds: [],
        roleContacts: [],
      }),
      "VERSION_CONFLICT",
    );
    expect(error.extensions?.currentVersion).to.equal(account.contactsVersion + 1);
    expect(error.extensions!.invalidFields.map((entry: { field: string }) => entry.field)).to.deep.equal(["input.expectedVersion"]);
    const state = await readAccount(server, admin.token, account.id);
    expect(state.primaryContact.id).to.equal(admin.id);
    expect(state.billingContacts.map((user) => user.id)).to.deep.equal([members[0]!.id]);
  });

  it("lets exactly one of two admins saving at once win; the other gets VERSION_CONFLICT and nothing is lost", async () => {
    const { admin, account, members } = await accountWithMembers(server, 3, "race");
    const second = await addMember(server, admin, account.id, `race-second-${Math.random().toString(36).slice(2, 8)}@example.com`, "ADMIN");
    const base = (await readAccount(server, admin.token, account.id)).contactsVersion;
    const forms: [typeof admin, Form][] = [
      [
        admin,
        {
          accountId: account.id,
          expectedVersion: base,
          primaryContactUserId: members[0]!.id,
          billingContactUserIds: [members[1]!.id],
          roleContacts: [{ role: "SECURITY", userId: members[2]!.id }],
        },
      ],
      [
        second,
        {
          accountId: account.id,
          expectedVersion: base,
          primaryContactUserId: members[2]!.id,
          billingContactUserIds: [members[0]!.id, members[2]!.id],
          roleContacts: [{ role: "DECISION_MAKER", userId: members[1]!.id }],
        },
      ],
    ];
    const results = await Promise.all(forms.map(([who, form]) => save(who.token, form)));
    const winners = results.filter((result) => !result.errors);
    const losers = results.filter((result) => result.errors);
    expect(winners).to.have.lengthOf(1);
    expect(losers).to.have.lengthOf(1);
    failsWith(losers[0]!, "VERSION_CONFLICT");
    const winnerIndex = results.indexOf(winners[0]!);
    const [, winningForm] = forms[winnerIndex]!;
    const state = await readAccount(server, admin.token, account.id);
    // The winner's form is there in full; nothing of the loser's is mixed in.
    expect(state.contactsVersion).to.equal(base + 1);
    expect(state.primaryContact.id).to.equal(winningForm.primaryContactUserId);
    expect(state.billingContacts.map((user) => user.id)).to.deep.equal(winningForm.billingContactUserIds);
    expect(state.roleContacts.map((role) => role.role)).to.deep.equal(winningForm.roleContacts!.map((role) => role.role));
    // The loser reloads, sees the winner's change, and saves on top of it.
    const [loser, losingForm] = forms[1 - winnerIndex]!;
    const retried = ok(await save(loser.token, { ...losingForm, expectedVersion: state.contactsVersion })).saveAccountContacts;
    expect(retried.primaryContact.id).to.equal(losingForm.primaryContactUserId);
    expect(retried.contactsVersion).to.equal(base + 2);
  });

  it("applies the single-slot rules: cap of 3, members only, outside addresses for SECURITY only — all or nothing", async () => {
    const { admin, account, members } = await accountWithMembers(server, 4, "rules");
    const outsider = `rules-outsider-${Math.random().toString(36).slice(2, 8)}@example.com`;
    const other = await accountWithMembers(server, 0, "other");
    const stranger = (await addMember(server, other.admin, other.account.id, outsider)).id;
    const base = {
      accountId: account.id,
      expectedVersion: account.contactsVersion,
      primaryContactUserId: members[0]!.id,
      roleContacts: [],
    };
    const limit = failsWith(
      await save(admin.token, { ...base, billingContactUserIds: members.map((member) => member.id) }),
      "BILLING_CONTACT_LIMIT",
    );
    expect(limit.extensions!.invalidFields.map((entry: { field: string }) => entry.field)).to.deep.equal(["input.billingContactUserIds"]);
    // Each refusal names the place in the form that caused it.
    const refusals: [Partial<Form>, string][] = [
      [{ billingContactUserIds: [members[1]!.id, stranger] }, "input.billingContactUserIds.1"],
      [{ primaryContactUserId: stranger, billingContactUserIds: [] }, "input.primaryContactUserId"],
      [{ billingContactUserIds: [], roleContacts: [{ role: "DECISION_MAKER", email: "x@outside.example" }] }, "input.roleContacts.0.email"],
      [
        {
          billingContactUserIds: [],
          roleContacts: [
            { role: "IMPLEMENTATION", userId: members[2]!.id },
            { role: "SECURITY", userId: members[1]!.id, email: "x@outside.example" },
          ],
        },
        "input.roleContacts.1.userId",
      ],
      [{ billingContactUserIds: [], roleContacts: [{ role: "SECURITY" }] }, "input.roleContacts.0.userId"],
      [{ billingContactUserIds: [], roleContacts: [{ role: "TECHNICAL_ADMIN", userId: stranger }] }, "input.roleContacts.0.userId"],
      [{ billingContactUserIds: [members[1]!.id, members[1]!.id] }, "input.billingContactUserIds"],
      [
        {
          billingContactUserIds: [],
          roleContacts: [
            { role: "SECURITY", userId: members[1]!.id },
            { role: "SECURITY", userId: members[2]!.id },
          ],
        },
        "input.roleContacts",
      ],
    ];
    for (const [form, field] of refusals) {
      const error = failsWith(await save(admin.token, { ...base, ...form } as Form), "BAD_USER_INPUT");
      expect(
        error.extensions!.invalidFields.map((entry: { field: string }) => entry.field),
        JSON.stringify(form),
      ).to.deep.equal([field]);
    }
    const state = await readAccount(server, admin.token, account.id);
    expect(state.contactsVersion).to.equal(account.contactsVersion);
    expect(state.primaryContact.id).to.equal(admin.id);
    expect(state.billingContacts).to.deep.equal([]);
    expect(state.roleContacts).to.deep.equal([]);
  });

  it("stores a member when SECURITY is given a member's address", async () => {
    const { admin, account, members } = await accountWithMembers(server, 1, "secmember");
    const saved = ok(
      await save(admin.token, {
        accountId: account.id,
        expectedVersion: account.contactsVersion,
        primaryContactUserId: admin.id,
        billingContactUserIds: [],
        roleContacts: [{ role: "SECURITY", email: members[0]!.email.toUpperCase() }],
      }),
    ).saveAccountContacts;
    expect(saved.roleContacts[0]).to.deep.include({
      role: "SECURITY",
      isExternal: false,
      user: { id: members[0]!.id, email: members[0]!.email },
    });
  });

  it("refuses a plain member with FORBIDDEN and an outsider with NOT_FOUND", async () => {
    const { admin, account, members } = await accountWithMembers(server, 1, "forbid");
    const form = {
      accountId: account.id,
      expectedVersion: account.contactsVersion,
      primaryContactUserId: members[0]!.id,
      billingContactUserIds: [],
      roleContacts: [],
    };
    failsWith(await save(members[0]!.token, form), "FORBIDDEN");
    const outsider = await accountWithMembers(server, 0, "forbid-out");
    failsWith(await save(outsider.admin.token, form), "NOT_FOUND");
    expect((await readAccount(server, admin.token, account.id)).primaryContact.id).to.equal(admin.id);
  });
});

describe("expectedVersion on the single-slot mutations", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ env: { MUTATION_RATE_LIMIT: "0" } });
  });
  after(() => server.close());

  it("accepts the current version, refuses a stale one with VERSION_CONFLICT, and ignores an absent one", async () => {
    const { admin, account, members } = await accountWithMembers(server, 2, "single");
    const cases: [string, Record<string, unknown>][] = [
      ["setPrimaryContact", { userId: members[0]!.id }],
      ["addBillingContact", { userId: members[1]!.id }],
      ["removeBillingContact", { userId: members[1]!.id }],
      ["setRoleContact", { role: "SECURITY", email: "single@outside.example" }],
      ["clearRoleContact", { role: "SECURITY" }],
    ];
    let version = account.contactsVersion;
    for (const [name, input] of cases) {
      const stale = await mutate(server, admin.token, name, { accountId: account.id, expectedVersion: version - 1, ...input });
      const error = failsWith(stale, "VERSION_CONFLICT");
      expect(error.extensions?.currentVersion, name).to.equal(version);
      expect((await readAccount(server, admin.token, account.id)).contactsVersion, name).to.equal(version);
      const current = ok(await mutate(server, admin.token, name, { accountId: account.id, expectedVersion: version, ...input }))[name]!;
      expect(current.contactsVersion, name).to.equal(version + 1);
      version = current.contactsVersion;
    }
    const absent = ok(await mutate(server, admin.token, "setPrimaryContact", { accountId: account.id, userId: admin.id }));
    expect(absent.setPrimaryContact!.contactsVersion).to.equal(version + 1);
  });

  it("does not move the version for a change that changes nothing", async () => {
    const { admin, account } = await accountWithMembers(server, 0, "noop");
    const again = ok(
      await mutate(server, admin.token, "setPrimaryContact", {
        accountId: account.id,
        userId: admin.id,
        expectedVersion: account.contactsVersion,
      }),
    );
    expect(again.setPrimaryContact!.contactsVersion).to.equal(account.contactsVersion);
  });
});
