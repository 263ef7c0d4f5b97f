import { Field, ObjectType, registerEnumType } from "type-graphql";
import { Column, Entity, Index, PrimaryGeneratedColumn } from "typeorm";
import { Node } from "../nodes/node.type";

/** The account settings whose changes are kept; the database's CHECK names the same ones. */
export enum AccountSetting {
  LOCALE = "LOCALE",
  ALLOWED_CONTACT_DOMAINS = "ALLOWED_CONTACT_DOMAINS",
}

registerEnumType(AccountSetting, {
  name: "AccountSetting",
  description: "An account setting outside its contacts whose changes are kept.",
  valuesConfig: {
    LOCALE: { description: "The account's language (Account.locale): `en` or `pl`." },
    ALLOWED_CONTACT_DOMAINS: {
      description:
        "The domains outside contact addresses may have (Account.allowedContactDomains): the domains separated by spaces, or null for none (no restriction).",
    },
  },
});

@ObjectType({
  implements: Node,
  description: "One change to one of an account's settings (its language, say), written with the change itself.",
})
@Entity({ name: "account_setting_changes" })
@Index("IDX_account_setting_changes_account_id", ["accountId", "sequence"])
@Index("IDX_account_setting_changes_account_event", ["accountId", "eventSequence"])
export class AccountSettingChange {
  @PrimaryGeneratedColumn({ type: "integer", name: "id" })
  sequence: number;

  @Column({ type: "varchar", length: 36 })
  accountId: string;

  /** The account event (account_events.sequence) this row belongs to; null for rows written before the change log. */
  @Column({ type: "integer", nullable: true })
  eventSequence: number | null;

  @Field(() => Date, { description: "When the change was made." })
  @Column()
  at: Date;

  @Column({ type: "varchar", length: 36 })
  actorId: string;

  @Field(() => AccountSetting, { description: "The setting that changed." })
  @Column({ type: "varchar", length: 32 })
  setting: AccountSetting;

  @Field(() => String, { nullable: true, description: "The setting's value before the change (for LOCALE: en or pl; see AccountSetting)." })
  @Column({ type: "text", nullable: true })
  previousValue: string | null;

  @Field(() => String, { nullable: true, description: "The setting's value after the change." })
  @Column({ type: "text", nullable: true })
  newValue: string | null;
}
