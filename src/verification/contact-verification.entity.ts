import { Field, ObjectType, registerEnumType } from "type-graphql";
import { Node } from "../nodes/node.type";
import { Column, Entity, Index, PrimaryColumn } from "typeorm";
import { ContactRoleKind } from "../contacts/contact.enums";

export enum VerificationState {
  PENDING = "PENDING",
  VERIFIED = "VERIFIED",
  DECLINED = "DECLINED",
}

registerEnumType(VerificationState, {
  name: "VerificationState",
  description: "Whether the person behind an external contact address has confirmed it.",
  valuesConfig: {
    PENDING: { description: "A verification message was sent; the address has not been confirmed yet." },
    VERIFIED: { description: "The address was confirmed with the token sent to it." },
    DECLINED: {
      description:
        'The owner of the address answered that it is not theirs ("This is not me"). Nothing more is sent to it for this account until an admin sets the contact again.',
    },
  },
});

/**
 * The verification of one external role contact's address. A new address replaces the row (and its
 * token), so confirming an old address can never verify a new one. Only the token's hash is kept.
 */
@ObjectType("ContactVerification", {
  implements: Node,
  description: "Whether an external contact's address has been confirmed by its owner.",
})
@Entity({ name: "contact_verifications" })
@Index("IDX_contact_verifications_token", ["tokenHash"], { unique: true })
export class ContactVerification {
  @PrimaryColumn({ type: "varchar", length: 36 })
  accountId: string;

  @Field(() => ContactRoleKind, { description: "The role whose contact this is." })
  @PrimaryColumn({ type: "varchar", length: 32 })
  role: ContactRoleKind;

  @Field(() => String, { description: "The address being verified." })
  @Column({ type: "varchar", length: 320 })
  email: string;

  @Field(() => VerificationState, {
    description: "PENDING until the owner of the address answers: VERIFIED if they confirm it, DECLINED if they say it is not theirs.",
  })
  @Column({ type: "varchar", length: 16 })
  state: VerificationState;

  /** SHA-256 of the token sent by email; kept once used, so a used link can say what was answered. Null for rows older than that. */
  @Column({ type: "varchar", length: 64, nullable: true })
  tokenHash: string | null;

  @Column({ type: Date })
  tokenExpiresAt: Date;

  @Field(() => Date, { description: "When the verification message was requested." })
  @Column({ type: Date })
  requestedAt: Date;

  @Field(() => Date, { nullable: true, description: "When the address was confirmed; null while PENDING." })
  @Column({ type: Date, nullable: true })
  verifiedAt: Date | null;

  @Field(() => Date, { nullable: true, description: "When the owner of the address said it is not theirs; null unless DECLINED." })
  @Column({ type: Date, nullable: true })
  declinedAt: Date | null;
}
