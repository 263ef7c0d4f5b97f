import type { EntityManager } from "typeorm";
import type { Context } from "../context";
import { Account } from "./account.entity";
import { AccountMember, MemberRole } from "../members/account-member.entity";
import { User } from "../users/user.entity";
import { ContactChange } from "../history/contact-change.entity";
import type { ContactChangeAction, ContactSlot } from "../contacts/contact.enums";
import { badInput, DomainError, ErrorCode, notFound } from "../errors";
import { changeRows, entityColumns, selectRows, storedValue } from "../common/sql-rows";
import { parseGlobalId } from "../common/global-id";
import type { Outbox } from "../outbox/outbox.service";

/** The account with this global id as its member sees it; to anyone else it does not exist. */
export async function readableAccount(context: Context, id: string, field: string): Promise<Account> {
  const [accountId] = parseGlobalId(id, "Account", field);
  const account = await context.loaders.accountAsMember.load({ accountId: accountId!, userId: context.requiredViewer.id });
  if (!account) throw notFound();
  return account;
}

/**
 * One admin's change to one account, inside a write transaction. Opening it takes the account's
 * write lock (the row lock on PostgreSQL; SQLite's writer lock), so concurrent changes to one account
 * run one after another and every rule is checked against the state it is applied to.
 */
export class AccountChange {
  /** A contact slot changed: `contactsVersion` moves. */
  private changedContacts = false;
  /** Something else about the account changed: only `updatedAt` moves. */
  private changedOther = false;

  private constructor(
    readonly manager: EntityManager,
    readonly account: Account,
    readonly actor: User,
    /** Where the mail this change causes is queued, within the caps. */
    readonly outbox: Outbox,
  ) {}

  static async open(manager: EntityManager, id: string, actor: User, outbox: Outbox, expectedVersion?: number | null): Promise<AccountChange> {
    // A no-op update: the cheapest statement that takes the lock on both drivers.
    await manager
      .createQueryBuilder()
      .update(Account)
      .set({ contactsVersion: () => '"contactsVersion"' })
      .where("id = :id", { id })
      .execute();
    const accounts = entityColumns(manager.connection, Account, "a");
    const [row] = await selectRows(
      manager,
      `SELECT ${accounts.select}, "m"."role" AS "actorRole" FROM "accounts" "a"
       LEFT JOIN "account_members" "m" ON "m"."accountId" = "a"."id" AND "m"."userId" = ? WHERE "a"."id" = ?`,
      [actor.id, id],
    );
    const account = row && accounts.from(row);
    if (!account || !row.actorRole) throw notFound();
    if (row.actorRole !== MemberRole.ADMIN) {
      throw new DomainError(ErrorCode.FORBIDDEN, "Only an admin of this account can change its members and contacts.");
    }
    if (expectedVersion != null && expectedVersion !== account.contactsVersion) {
      throw new DomainError(
        ErrorCode.VERSION_CONFLICT,
        "Someone else changed this account's contacts since you loaded them. Reload and try again.",
        { currentVersion: account.contactsVersion },
      );
    }
    return new AccountChange(manager, account, actor, outbox);
  }

  /** The member of this account who is the user `id`; anyone else is refused as input on `field`. */
  async member(id: string, field = "userId"): Promise<AccountMember & { user: User }> {
    const members = entityColumns(this.manager.connection, AccountMember, "m");
    const users = entityColumns(this.manager.connection, User, "u");
    const [row] = await selectRows(
      this.manager,
      `SELECT ${members.select}, ${users.select} FROM "account_members" "m" INNER JOIN "users" "u" ON "u"."id" = "m"."userId"
       WHERE "m"."accountId" = ? AND "m"."userId" = ?`,
      [this.account.id, id],
    );
    if (!row) throw badInput("That user is not a member of this account.", field);
    return Object.assign(members.from(row)!, { user: users.from(row)! });
  }

  async emailOf(userId: string): Promise<string> {
    const [row] = await selectRows(this.manager, `SELECT "email" FROM "users" WHERE "id" = ?`, [userId]);
    if (!row) throw new Error(`No user ${userId}.`);
    return row.email as string;
  }

  /** Writes one history row for one slot, in this transaction. */
  async record(slot: ContactSlot, action: ContactChangeAction, previousEmail: string | null, newEmail: string | null): Promise<void> {
    await changeRows(
      this.manager,
      `INSERT INTO "contact_changes" ("accountId", "at", "actorId", "slot", "action", "previousEmail", "newEmail") VALUES (?, ?, ?, ?, ?, ?, ?)`,
      [this.account.id, storedValue(this.manager.connection, ContactChange, "at", new Date()), this.actor.id, slot, action, previousEmail, newEmail],
    );
    this.changedContacts = true;
  }

  /** Marks the account changed without touching a contact slot (a member's role, say). */
  touch(): void {
    this.changedOther = true;
  }

  /** Bumps `contactsVersion` once if any slot changed, and `updatedAt` if anything did. */
  async finish(): Promise<Account> {
    if (this.changedContacts || this.changedOther) {
      const now = new Date();
      const contactsVersion = this.account.contactsVersion + (this.changedContacts ? 1 : 0);
      await changeRows(this.manager, `UPDATE "accounts" SET "contactsVersion" = ?, "updatedAt" = ? WHERE "id" = ?`, [
        contactsVersion,
        storedValue(this.manager.connection, Account, "updatedAt", now),
        this.account.id,
      ]);
      Object.assign(this.account, { contactsVersion, updatedAt: now });
    }
    return this.account;
  }
}

/**
 * The one place account changes are opened: a transaction holding the account's lock, the caller
 * checked as an admin, `work` applied, the version bumped, and the request's loaders refreshed.
 * `accountId` is the account's global id, as a client sends it.
 */
export async function changeAccount<TResult = void>(
  context: Context,
  accountId: string,
  work: (change: AccountChange) => Promise<TResult>,
  expectedVersion?: number | null,
): Promise<{ account: Account; result: TResult }> {
  const [id] = parseGlobalId(accountId, "Account", "accountId");
  const outcome = await context.db.write(async (manager) => {
    const change = await AccountChange.open(manager, id!, context.requiredViewer, context.outbox, expectedVersion);
    const result = await work(change);
    return { account: await change.finish(), result };
  });
  context.refresh();
  return outcome;
}
