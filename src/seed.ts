import type { Database } from "./database";
import { Account } from "./accounts/account.entity";
import { MemberRole } from "./members/account-member.entity";
import { User } from "./users/user.entity";
import { findOrCreateUser, provisionUser } from "./users/user.service";
import { AccountChange } from "./accounts/account-change";
import { addBillingContact, setPrimaryContact, setRoleContact } from "./contacts/contact.service";
import { CONTACT_ROLE_ORDER, type ContactRoleKind } from "./contacts/contact.enums";
import { addMemberWhoAgreed } from "./members/member.service";
import { createAccount } from "./accounts/account.service";
import type { Outbox } from "./notifications/outbox.service";
import { demoDataMarked, markDemoDataLoaded } from "./demo-data.queries";
import type { Locale, LocalisedText } from "./i18n";

/** The demo admin whose token `npm start` prints. */
export const DEMO_ADMIN = { email: "ada.lovelace@northwind.example", name: "Ada Lovelace" };

interface DemoAccount {
  /** The account's name in each language the demo data can be loaded in (DEFAULT_LOCALE). */
  name: LocalisedText;
  members: { email: string; name: string; role: MemberRole }[];
  primary: string;
  billing: string[];
  roles: Partial<Record<ContactRoleKind, string>>;
}

const DEMO_ACCOUNTS: DemoAccount[] = [
  {
    name: { en: "Northwind Traders", pl: "Hurtownia Północ" },
    members: [
      { email: "grace.hopper@northwind.example", name: "Grace Hopper", role: MemberRole.ADMIN },
      { email: "alan.turing@northwind.example", name: "Alan Turing", role: MemberRole.MEMBER },
      { email: "katherine.johnson@northwind.example", name: "Katherine Johnson", role: MemberRole.MEMBER },
      { email: "edsger.dijkstra@northwind.example", name: "Edsger Dijkstra", role: MemberRole.MEMBER },
    ],
    primary: "grace.hopper@northwind.example",
    billing: ["katherine.johnson@northwind.example", "ada.lovelace@northwind.example"],
    roles: {
      DECISION_MAKER: "ada.lovelace@northwind.example",
      TECHNICAL_ADMIN: "alan.turing@northwind.example",
      SECURITY: "security@northwind-partners.example",
    },
  },
  {
    name: { en: "Acme Analytics", pl: "Acme Analityka" },
    members: [
      { email: "barbara.liskov@acme.example", name: "Barbara Liskov", role: MemberRole.MEMBER },
      { email: "donald.knuth@acme.example", name: "Donald Knuth", role: MemberRole.ADMIN },
    ],
    primary: "ada.lovelace@northwind.example",
    billing: ["barbara.liskov@acme.example", "donald.knuth@acme.example", "ada.lovelace@northwind.example"],
    roles: { IMPLEMENTATION: "barbara.liskov@acme.example", SECURITY: "donald.knuth@acme.example" },
  },
  {
    name: { en: "Globex Logistics", pl: "Globex Logistyka" },
    members: [{ email: "margaret.hamilton@globex.example", name: "Margaret Hamilton", role: MemberRole.MEMBER }],
    primary: "margaret.hamilton@globex.example",
    billing: [],
    roles: {},
  },
];

/** The roles each demo account holds: as written above, and every role none of them names held by the demo admin in the first, so each role shows. */
export function demoRoles(): Partial<Record<ContactRoleKind, string>>[] {
  const named = new Set(DEMO_ACCOUNTS.flatMap((demo) => Object.keys(demo.roles)));
  const unnamed = CONTACT_ROLE_ORDER.filter((role) => !named.has(role));
  return DEMO_ACCOUNTS.map((demo, index) =>
    index === 0 ? { ...demo.roles, ...Object.fromEntries(unnamed.map((role) => [role, DEMO_ADMIN.email])) } : demo.roles,
  );
}

/**
 * Whether this database holds the demo data `seedDemoData` loaded. The marker is committed with the
 * last demo account, so an interrupted seed, or data that came from anywhere else, never has it.
 */
export function demoDataLoaded(db: Database): Promise<boolean> {
  return demoDataMarked(db);
}

/** Loads the demo accounts, named and set in `locale`, into an empty database; does nothing if any account exists. */
export async function seedDemoData(db: Database, outbox: Outbox, locale: Locale = "en"): Promise<boolean> {
  const existing = await db.read((m) => m.count(Account));
  if (existing > 0) return false;
  // The demo admin is the one whose token start-up prints: provisioned as their own sign-in would.
  const admin = await provisionUser(db, DEMO_ADMIN);
  const roles = demoRoles();
  for (const [index, demo] of DEMO_ACCOUNTS.entries()) {
    const account = await createAccount(db, admin, demo.name[locale], locale);
    await db.write(async (manager) => {
      const change = await AccountChange.open(manager, account.id, admin, outbox);
      for (const member of demo.members) await addMemberWhoAgreed(change, member);
      const idOf = async (email: string) => (await findOrCreateUser(manager, email)).id;
      await setPrimaryContact(change, await idOf(demo.primary));
      for (const email of demo.billing) await addBillingContact(change, await idOf(email));
      for (const [role, email] of Object.entries(roles[index]) as [ContactRoleKind, string][]) {
        const user = await manager.findOne(User, { where: { email } });
        await setRoleContact(change, role, user ? { userId: user.id } : { email });
      }
      await change.finish();
      if (index === DEMO_ACCOUNTS.length - 1) await markDemoDataLoaded(manager);
    });
  }
  return true;
}
