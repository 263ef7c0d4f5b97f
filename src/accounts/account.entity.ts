import { Field, Int, ObjectType, registerEnumType } from "type-graphql";
import { Node } from "../nodes/node.type";
import { Column, Entity, PrimaryColumn } from "typeorm";
import type { Locale } from "../i18n";

/** The languages as GraphQL names them (EN, PL); their values are the locales themselves. */
export const LocaleValue = { EN: "en", PL: "pl" } as const satisfies Record<string, Locale>;

registerEnumType(LocaleValue, {
  name: "Locale",
  description: "A language the service writes in: an account's mail and pages, and error messages (which follow Accept-Language).",
  valuesConfig: { EN: { description: "English." }, PL: { description: "Polish." } },
});

@ObjectType({ implements: Node, description: "A customer's workspace, with its members and its points of contact." })
@Entity({ name: "accounts" })
export class Account {
  /** The row's id; clients see the global id made from it (AccountResolver.id). */
  @PrimaryColumn({ type: "varchar", length: 36 })
  id: string;

  @Field(() => String, { description: "The account's display name (1 to 200 characters)." })
  @Column({ type: "varchar", length: 200 })
  name: string;

  @Field(() => LocaleValue, {
    description: "The language the account's mail is written in (verification and test messages). Admins change it with updateAccount.",
  })
  @Column({ type: "varchar", length: 2, default: "en" })
  locale: Locale;

  @Field(() => Int, {
    description:
      "Grows by one with every change to the account's contacts. Send it back as `expectedVersion` to refuse to overwrite changes you have not seen.",
  })
  @Column({ type: "integer", default: 0 })
  contactsVersion: number;

  @Field(() => Date, { description: "When the account was created." })
  @Column()
  createdAt: Date;

  @Field(() => Date, { description: "When the account or its contacts last changed." })
  @Column()
  updatedAt: Date;
}
