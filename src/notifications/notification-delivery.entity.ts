import { Field, Int, ObjectType, registerEnumType } from "type-graphql";
import { Node } from "../nodes/node.type";
import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from "typeorm";
import { NotificationCategory } from "../contacts/notification-routing";

export enum DeliveryKind {
  VERIFICATION = "VERIFICATION",
  TEST = "TEST",
  INVITATION = "INVITATION",
}

export enum DeliveryState {
  PENDING = "PENDING",
  SENT = "SENT",
  FAILED = "FAILED",
  SKIPPED = "SKIPPED",
}

/** Why a message was not sent to a recipient. */
export enum DeliverySkipReason {
  NEVER_SIGNED_IN = "NEVER_SIGNED_IN",
  ADDRESS_NOT_VERIFIED = "ADDRESS_NOT_VERIFIED",
}

registerEnumType(DeliveryKind, {
  name: "NotificationDeliveryKind",
  description: "Why a message was sent.",
  valuesConfig: {
    VERIFICATION: { description: "Asks an external contact to confirm their address." },
    TEST: { description: "A test notification an admin asked for." },
    INVITATION: { description: "Invites a person to join the account; they become a member only by accepting." },
  },
});

registerEnumType(DeliveryState, {
  name: "DeliveryState",
  description: "Where a message is on its way to its recipient.",
  valuesConfig: {
    PENDING: { description: "Waiting to be sent, or to be tried again after a failed attempt." },
    SENT: { description: "The mail server accepted the message." },
    FAILED: { description: "Every attempt failed; the message will not be tried again." },
    SKIPPED: {
      description:
        "Not sent, and never will be: optional messages go only to confirmed addresses, and this recipient's is not confirmed (see skipReason).",
    },
  },
});

registerEnumType(DeliverySkipReason, {
  name: "DeliverySkipReason",
  description: "Why a message was not sent: the recipient's address is not confirmed.",
  valuesConfig: {
    NEVER_SIGNED_IN: {
      description:
        "A member an admin added by email who has never signed in, so has not shown the address is theirs. Later messages go to them once they sign in.",
    },
    ADDRESS_NOT_VERIFIED: {
      description:
        "An outside address whose owner has not confirmed it with the verification message, or has DECLINED it. Later messages go to it once it is VERIFIED.",
    },
  },
});

/**
 * One message to one recipient, written in the same transaction as the change that caused it and
 * sent afterwards by the delivery worker. The row is also the delivery record clients read.
 */
@ObjectType("NotificationDelivery", {
  implements: Node,
  description: "One message sent (or being sent) to one recipient on behalf of an account.",
})
@Entity({ name: "outbox_messages" })
@Index("IDX_outbox_messages_account_id", ["accountId", "sequence"])
@Index("IDX_outbox_messages_due", ["state", "nextAttemptAt"])
@Index("IDX_outbox_messages_account_created", ["accountId", "createdAt"])
@Index("IDX_outbox_messages_email_created", ["email", "createdAt"])
@Index("IDX_outbox_messages_mailbox_created", ["mailbox", "createdAt"])
export class NotificationDelivery {
  @PrimaryGeneratedColumn({ type: "integer", name: "id" })
  sequence: number;

  @Column({ type: "varchar", length: 36 })
  accountId: string;

  @Field(() => DeliveryKind, { description: "Why the message was sent." })
  @Column({ type: "varchar", length: 16 })
  kind: DeliveryKind;

  @Field(() => NotificationCategory, {
    nullable: true,
    description: "The notification category a test message was sent for; null for other messages.",
  })
  @Column({ type: "varchar", length: 32, nullable: true })
  category: NotificationCategory | null;

  @Field(() => String, { description: "The recipient's address." })
  @Column({ type: "varchar", length: 320 })
  email: string;

  /** The mailbox the address reaches (see mailboxOf), which the cap on confirmation requests counts by. */
  @Column({ type: "varchar", length: 320, nullable: true })
  mailbox: string | null;

  @Field(() => String, { description: "The message's subject line." })
  @Column({ type: "varchar", length: 300 })
  subject: string;

  @Column({ type: "text" })
  body: string;

  @Field(() => DeliveryState, {
    description:
      "PENDING until the mail server accepts it (SENT) or every attempt has failed (FAILED); SKIPPED when it was never to be sent.",
  })
  @Column({ type: "varchar", length: 16 })
  state: DeliveryState;

  @Field(() => DeliverySkipReason, { nullable: true, description: "Why the message was SKIPPED; null for every other state." })
  @Column({ type: "varchar", length: 32, nullable: true })
  skipReason: DeliverySkipReason | null;

  @Field(() => Int, { description: "How many times sending has been tried." })
  @Column({ type: "integer", default: 0 })
  attempts: number;

  /** Why the last attempt failed: a DeliveryFailure and the SMTP reply code (see delivery-errors.ts); shown to members translated. */
  @Column({ type: "varchar", length: 1000, nullable: true })
  lastError: string | null;

  @Field(() => Date, { description: "When the message was queued." })
  @Column({ type: Date })
  createdAt: Date;

  /** When the worker may next try it (while PENDING). */
  @Column({ type: Date })
  nextAttemptAt: Date;

  @Field(() => Date, { nullable: true, description: "When the mail server accepted the message." })
  @Column({ type: Date, nullable: true })
  sentAt: Date | null;

  @Column({ type: "varchar", length: 36, nullable: true })
  requestedById: string | null;

  /** For a verification message: the nonce its token is derived from at send time (never the token); null once sent. */
  @Column({ type: "varchar", length: 64, nullable: true })
  tokenNonce: string | null;
}

/** The last delivery result for one address of one account: what contact health reports as DELIVERY_FAILED. */
@Entity({ name: "delivery_status" })
export class DeliveryStatus {
  @PrimaryColumn({ type: "varchar", length: 36 })
  accountId: string;

  @PrimaryColumn({ type: "varchar", length: 320 })
  email: string;

  @Column({ type: "varchar", length: 16 })
  state: DeliveryState.SENT | DeliveryState.FAILED;

  @Column({ type: Date })
  at: Date;

  @Column({ type: "varchar", length: 1000, nullable: true })
  lastError: string | null;
}
