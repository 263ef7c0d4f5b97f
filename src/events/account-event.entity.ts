import { registerEnumType } from "type-graphql";
import { Column, Entity, Index, PrimaryGeneratedColumn } from "typeorm";

/** What an account event is about; a webhook endpoint subscribes to some of them. */
export enum AccountEventKind {
  /** A contact slot changed, or an outside address confirmed or declined itself. */
  CONTACTS = "account.contacts.changed",
  /** Someone joined or left the account, or a member's role changed. */
  MEMBERS = "account.members.changed",
  /** An account setting (its language) changed. */
  SETTINGS = "account.settings.changed",
}

registerEnumType(AccountEventKind, {
  name: "AccountEventKind",
  description: "What a change of an account is about. Webhook deliveries name it as their event type (`account.contacts.changed`, …).",
  valuesConfig: {
    CONTACTS: { description: "A contact slot changed, or an outside address confirmed or declined itself (`account.contacts.changed`)." },
    MEMBERS: { description: "Someone joined or left the account, or a member's role changed (`account.members.changed`)." },
    SETTINGS: { description: "An account setting, such as its language, changed (`account.settings.changed`)." },
  },
});

export const ACCOUNT_EVENT_KINDS: readonly AccountEventKind[] = Object.values(AccountEventKind);

/**
 * The change log: one row per committed change of an account, written in the transaction of the
 * change, so an event exists exactly when its change does. What changed is in the history rows that
 * carry the same `eventSequence` (contact_changes, member_changes, account_setting_changes): the event
 * is their header, not a second copy.
 */
@Entity({ name: "account_events" })
@Index("IDX_account_events_account_sequence", ["accountId", "sequence"], { unique: true })
export class AccountEvent {
  /** Unique across accounts; the order of ids is not the order of commits. */
  @PrimaryGeneratedColumn({ type: "integer", name: "id" })
  id: number;

  @Column({ type: "varchar", length: 36 })
  accountId: string;

  /** 1, 2, 3… per account, without gaps, in commit order: the account's lock is held while it is taken. */
  @Column({ type: "integer" })
  sequence: number;

  /** The account's contactsVersion after the change. */
  @Column({ type: "integer" })
  contactsVersion: number;

  /** What the change is about, comma-separated AccountEventKind values, in their declared order. */
  @Column({ type: "varchar", length: 200 })
  kinds: string;

  /** The member who made the change; null when an outside address made it (then `actorEmail`). */
  @Column({ type: "varchar", length: 36, nullable: true })
  actorId: string | null;

  /** The outside address that made the change (confirmed or declined itself); null when a member did. */
  @Column({ type: "varchar", length: 320, nullable: true })
  actorEmail: string | null;

  @Column()
  at: Date;
}

/** The kinds of an event, from its stored column. */
export function kindsOf(event: Pick<AccountEvent, "kinds">): AccountEventKind[] {
  return event.kinds.split(",").filter((kind): kind is AccountEventKind => (ACCOUNT_EVENT_KINDS as string[]).includes(kind));
}
