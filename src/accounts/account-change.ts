import type { EntityManager } from "typeorm";
import type { Account } from "./account.entity";
import { message, type Locale } from "../i18n";
import { changeAccountLocale, lockAccountAsMember, markAccountChanged } from "./account.queries";
import { mayAdminister } from "../members/account-member.entity";
import { memberWithUser, type MemberWithUser } from "../members/member.queries";
import type { User } from "../users/user.entity";
import type { ContactChangeAction, ContactSlot } from "../contacts/contact.enums";
import type { AccountContacts } from "../contacts/account-contacts";
import { contactDetailsHistory, type ContactDetails } from "../contacts/contact-details";
import type { AccountContact } from "../contacts/account-contact.entity";
import { accountContactsIn } from "../contacts/contact.queries";
import { contactChangeRows, type ContactChangeRecord } from "../history/history.queries";
import type { Outbox } from "../notifications/outbox.service";
import { badInput, DomainError, notFound } from "../errors";
import { AccountInvitation } from "../members/account-invitation.entity";

/** A slot's contact as a history row records it: an AccountContact row, or the parts of one a change knows. */
export type RecordedHolder = Pick<AccountContact, "email" | "userId"> & Partial<ContactDetails>;

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
  /** The history rows recorded so far, written by `finish` with the change's event. */
  private readonly recorded: ContactChangeRecord[] = [];

  private constructor(
    readonly manager: EntityManager,
    readonly account: Account,
    readonly actor: User,
    /** Where the mail this change causes is queued, within the caps. */
    readonly outbox: Outbox,
  ) {}

  /** Opens a change of the account `id` (a row id) by `actor`, who must be its admin; `expectedVersion`, when given, must be current. */
  /** `access`: who may make the change — admins, or any member (for changes to one's own membership). */
  static async open(
    manager: EntityManager,
    id: string,
    actor: User,
    outbox: Outbox,
    expectedVersion?: number | null,
    access: "admin" | "member" = "admin",
  ): Promise<AccountChange> {
    const found = await lockAccountAsMember(manager, id, actor.id);
    if (!found) throw notFound();
    if (access === "admin" && !mayAdminister(found.role)) {
      throw new DomainError("FORBIDDEN.adminOnly");
    }
    const { account } = found;
    if (expectedVersion != null && expectedVersion !== account.contactsVersion) {
      throw new DomainError("VERSION_CONFLICT.staleVersion", {}, { currentVersion: account.contactsVersion, expectedVersion }, [
        { field: "expectedVersion", message: message("VERSION_CONFLICT.staleVersion") },
      ]);
    }
    return new AccountChange(manager, account, actor, outbox);
  }

  /** The member of this account who is the user `id`; anyone else is refused as input on `field`. */
  async member(id: string, field = "userId"): Promise<MemberWithUser> {
    const member = await memberWithUser(this.manager, this.account.id, id);
    if (!member) {
      // Someone invited holds nothing until they accept: say so, rather than "not a member".
      const invited = await this.manager.count(AccountInvitation, { where: { accountId: this.account.id, userId: id } });
      if (invited)
        throw new DomainError("INVITATION_PENDING.notAccepted", {}, {}, [{ field, message: message("INVITATION_PENDING.notAccepted") }]);
      throw badInput("BAD_USER_INPUT.notAMember", {}, field);
    }
    return member;
  }

  /** Who holds which slot, as it stands in this transaction (read afresh each time). */
  contacts(): Promise<AccountContacts> {
    return accountContactsIn(this.manager, this.account.id);
  }

  /**
   * Records one history row for one slot: the slot's contact before and after (null for none), each its
   * address, member (null for an outside address), phone, title and language. `finish` writes the rows
   * of the change together, in the statement of its event on PostgreSQL.
   */
  async record(
    slot: ContactSlot,
    action: ContactChangeAction,
    previous: RecordedHolder | null,
    next: RecordedHolder | null,
  ): Promise<void> {
    // finish() bumps the version once, so every row of this change records the same new version.
    const version = this.account.contactsVersion + 1;
    this.recorded.push({
      accountId: this.account.id,
      at: new Date(),
      actorId: this.actor.id,
      version,
      slot,
      action,
      previousEmail: previous?.email ?? null,
      newEmail: next?.email ?? null,
      previousUserId: previous?.userId ?? null,
      newUserId: next?.userId ?? null,
      ...contactDetailsHistory(previous, next),
    });
    this.changedContacts = true;
  }

  /** The contactsVersion this change produced (its history rows carry it); null if no slot changed. Call after finish(). */
  producedVersion(): number | null {
    return this.changedContacts ? this.account.contactsVersion : null;
  }

  /** Sets the account's language, recording the change; setting the language it has changes nothing. */
  async setLocale(locale: Locale): Promise<void> {
    const previous = this.account.locale;
    if (previous === locale) return;
    await changeAccountLocale(this.manager, { accountId: this.account.id, actorId: this.actor.id, at: new Date(), previous, locale });
    this.account.locale = locale;
    this.touch();
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
      const history = this.recorded.length > 0 ? contactChangeRows(this.manager, this.recorded.splice(0)) : null;
      await markAccountChanged(this.manager, this.account.id, contactsVersion, now, history);
      Object.assign(this.account, { contactsVersion, updatedAt: now });
    }
    return this.account;
  }
}
