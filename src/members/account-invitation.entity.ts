import { Field, ObjectType } from "type-graphql";
import { Column, Entity, Index, PrimaryGeneratedColumn } from "typeorm";
import { Node } from "../nodes/node.type";
import { MemberRole } from "./account-member.entity";

/**
 * An invitation to become a member, waiting for the person's answer. Until they accept it they are
 * not a member: they see nothing of the account, hold no contact slot and receive no account mail.
 * Accepting, declining and withdrawing delete the row; accepting records JOINED in the member history.
 */
@ObjectType({ implements: Node, description: "An invitation to join an account that the invited person has not answered yet." })
@Entity({ name: "account_invitations" })
@Index("IDX_account_invitations_account_user", ["accountId", "userId"], { unique: true })
@Index("IDX_account_invitations_user", ["userId"])
@Index("IDX_account_invitations_token", ["tokenHash"], { unique: true })
export class AccountInvitation {
  @PrimaryGeneratedColumn({ type: "integer", name: "id" })
  sequence: number;

  @Column({ type: "varchar", length: 36 })
  accountId: string;

  /** The invited person's user record (created when they are invited, as for any address added). */
  @Column({ type: "varchar", length: 36 })
  userId: string;

  @Field(() => String, { description: "The address the invitation was sent to." })
  @Column({ type: "varchar", length: 320 })
  email: string;

  @Field(() => MemberRole, { description: "The role the person will have once they accept." })
  @Column({ type: "varchar", length: 16 })
  role: MemberRole;

  /** What the admin called the person; it becomes the membership's name on acceptance. */
  @Column({ type: "varchar", length: 200, nullable: true })
  nameGivenByAdmin: string | null;

  @Column({ type: "varchar", length: 36 })
  invitedById: string;

  @Field(() => Date, { description: "When the invitation was sent (or last sent again)." })
  @Column()
  invitedAt: Date;

  @Field(() => Date, { description: "When the invitation's link stops working; an admin may invite the person again after that." })
  @Column()
  expiresAt: Date;

  /** The hash of the mailed link's token; the token itself is never stored. */
  @Column({ type: "varchar", length: 64 })
  tokenHash: string;
}
