import { randomUUID } from "node:crypto";
import type { EntityManager, ObjectLiteral, EntityTarget } from "typeorm";
import type { Database } from "../../src/database";
import { User } from "../../src/users/user.entity";
import { Account } from "../../src/accounts/account.entity";
import { AccountMember, MemberRole } from "../../src/members/account-member.entity";
import { AccountContact } from "../../src/contacts/account-contact.entity";
import { ContactChange } from "../../src/history/contact-change.entity";
import { CONTACT_ROLES, ContactChangeAction, type ContactRoleKind, ContactSlot, slotOfRole } from "../../src/contacts/contact.enums";
import { globalId } from "../../src/common/global-id";
import { contactDetailsHistory, NO_CONTACT_DETAILS } from "../../src/contacts/contact-details";

export interface DatasetShape {
  accounts: number;
  /** Members of each account, the viewer included (at least 5 + the number of roles: every slot gets its own member, and one is spare). */
  membersPerAccount: number;
  /** Extra billing add/remove pairs in each account's history, on top of the rows its contacts left. */
  historyChurnPairs?: number;
  /** The console user: an ADMIN of every account. */
  viewerEmail: string;
}

/** What was seeded, by the global ids the API gives and takes. */
export interface SeededAccount {
  /** The account's global id. */
  id: string;
  /** The account's row id, as the tables hold it. */
  rowId: string;
  /** Members' global user ids in joining order; `memberIds[0]` is the viewer. */
  memberIds: string[];
}

export interface Dataset {
  /** The viewer's global user id and email. */
  viewer: { id: string; email: string };
  accounts: SeededAccount[];
  /** A member of each account who holds no slot: free to be made a billing contact. */
  spareMemberIndex: number;
}

const CHUNK_ROWS = 400;
/** Members 1–3 hold the primary and two billing slots; one member per role follows, then the spare. */
const FIRST_ROLE_HOLDER = 4;
const SPARE_MEMBER = FIRST_ROLE_HOLDER + CONTACT_ROLES.length;

async function insertAll<T extends ObjectLiteral>(manager: EntityManager, entity: EntityTarget<T>, rows: T[]): Promise<void> {
  for (let start = 0; start < rows.length; start += CHUNK_ROWS) {
    await manager
      .createQueryBuilder()
      .insert()
      .into(entity)
      .values(rows.slice(start, start + CHUNK_ROWS))
      .updateEntity(false)
      .execute();
  }
}

/**
 * Accounts shaped like a real customer's, written in bulk in one transaction: a viewer who is an
 * admin of every account, then members with every contact slot filled (two of three billing
 * contacts, every role of CONTACT_ROLES, the roles that take an outside address held by one in every
 * other account) and the history
 * those contacts and some billing churn would have left.
 */
export async function seedDataset(db: Database, shape: DatasetShape): Promise<Dataset> {
  if (shape.membersPerAccount <= SPARE_MEMBER) throw new Error(`seedDataset needs at least ${SPARE_MEMBER + 1} members per account.`);
  const churn = shape.historyChurnPairs ?? 6;
  const start = Date.UTC(2025, 0, 1);
  const viewer: User = {
    id: randomUUID(),
    email: shape.viewerEmail.toLowerCase(),
    name: "Console Admin",
    createdAt: new Date(start),
    signedInAt: new Date(start),
  };
  const users: User[] = [viewer];
  const accounts: Account[] = [];
  const members: AccountMember[] = [];
  const slots: AccountContact[] = [];
  const history: Omit<ContactChange, "sequence" | "id">[] = [];
  const seeded: SeededAccount[] = [];

  for (let index = 0; index < shape.accounts; index++) {
    const createdAt = new Date(start + index * 60_000);
    const at = (step: number) => new Date(createdAt.getTime() + step * 1000);
    const accountId = randomUUID();
    const people: User[] = [viewer];
    for (let position = 1; position < shape.membersPerAccount; position++) {
      const user = {
        id: randomUUID(),
        email: `member${position}.account${index}@bench.example`,
        name: `Member ${position} of ${index}`,
        createdAt,
        signedInAt: createdAt,
      };
      users.push(user);
      people.push(user);
    }
    const [, primary, billingA, billingB] = people as [User, ...User[]];
    const contactsVersion = 2 + 2 + CONTACT_ROLES.length + 2 * churn;
    accounts.push({ id: accountId, name: `Account ${index}`, locale: "en", contactsVersion, createdAt, updatedAt: at(100) });
    people.forEach((user, position) => {
      members.push({
        accountId,
        userId: user.id,
        role: position <= 1 ? MemberRole.ADMIN : MemberRole.MEMBER,
        joinedAt: at(position),
        nameGivenByAdmin: null,
      });
    });
    slots.push(
      {
        accountId,
        slot: ContactSlot.PRIMARY,
        position: 0,
        userId: primary!.id,
        email: primary!.email,
        ...NO_CONTACT_DETAILS,
        updatedAt: at(20),
        updatedById: viewer.id,
      },
      {
        accountId,
        slot: ContactSlot.BILLING,
        position: 0,
        userId: billingA!.id,
        email: billingA!.email,
        ...NO_CONTACT_DETAILS,
        updatedAt: at(30),
        updatedById: viewer.id,
      },
      {
        accountId,
        slot: ContactSlot.BILLING,
        position: 1,
        userId: billingB!.id,
        email: billingB!.email,
        ...NO_CONTACT_DETAILS,
        updatedAt: at(31),
        updatedById: viewer.id,
      },
    );
    // Read from the role table, so a new role is filled here without an edit.
    const roleRows: [ContactRoleKind, User | null, string][] = CONTACT_ROLES.map((role, offset) => {
      const holder = people[FIRST_ROLE_HOLDER + offset]!;
      const outside = role.outsideAddress && index % 2 === 0;
      return outside ? [role.name, null, `${role.name.toLowerCase()}@account${index}.example`] : [role.name, holder, holder.email];
    });
    for (const [role, user, email] of roleRows) {
      slots.push({
        accountId,
        slot: slotOfRole(role),
        position: 0,
        userId: user?.id ?? null,
        email,
        ...NO_CONTACT_DETAILS,
        updatedAt: at(40),
        updatedById: viewer.id,
      });
    }

    const change = (step: number, slot: ContactSlot, action: ContactChangeAction, previousEmail: string | null, newEmail: string | null) =>
      history.push({
        accountId,
        at: at(step),
        actorId: viewer.id,
        actorEmail: null,
        version: null,
        eventSequence: null,
        slot,
        action,
        previousEmail,
        newEmail,
        previousUserId: null,
        newUserId: null,
        ...contactDetailsHistory(null, null),
      });
    change(0, ContactSlot.PRIMARY, ContactChangeAction.SET, null, viewer.email);
    change(20, ContactSlot.PRIMARY, ContactChangeAction.SET, viewer.email, primary!.email);
    change(30, ContactSlot.BILLING, ContactChangeAction.ADD, null, billingA!.email);
    change(31, ContactSlot.BILLING, ContactChangeAction.ADD, null, billingB!.email);
    roleRows.forEach(([role, , email], offset) => {
      change(40 + offset, slotOfRole(role), ContactChangeAction.SET, null, email);
    });
    const spare = people[SPARE_MEMBER]!;
    for (let pair = 0; pair < churn; pair++) {
      change(50 + pair * 2, ContactSlot.BILLING, ContactChangeAction.ADD, null, spare.email);
      change(51 + pair * 2, ContactSlot.BILLING, ContactChangeAction.REMOVE, spare.email, null);
    }
    seeded.push({ id: globalId("Account", accountId), rowId: accountId, memberIds: people.map((user) => globalId("User", user.id)) });
  }

  await db.write(async (manager) => {
    await insertAll(manager, User, users);
    await insertAll(manager, Account, accounts);
    await insertAll(manager, AccountMember, members);
    await insertAll(manager, AccountContact, slots);
    await insertAll(manager, ContactChange, history as ContactChange[]);
  });
  return {
    viewer: { id: globalId("User", viewer.id), email: viewer.email },
    accounts: seeded,
    spareMemberIndex: SPARE_MEMBER,
  };
}
