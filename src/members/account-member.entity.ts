import { Field, ObjectType, registerEnumType } from "type-graphql";
import { Node } from "../nodes/node.type";
import { Column, Entity, Index, PrimaryColumn } from "typeorm";

export enum MemberRole {
  ADMIN = "ADMIN",
  MEMBER = "MEMBER",
}

/** Whether a member with `role` may change the account, its contacts and members: the rule AccountChange enforces and Account.viewerCanAdminister reports. */
export function mayAdminister(role: MemberRole | null | undefined): boolean {
  return role === MemberRole.ADMIN;
}

registerEnumType(MemberRole, {
  name: "MemberRole",
  description: "What a member may do in an account.",
  valuesConfig: {
    ADMIN: { description: "May read the account and change its members and contacts." },
    MEMBER: { description: "May read the account, its members and contacts." },
  },
});

@ObjectType({ implements: Node, description: "A user's membership of an account." })
@Entity({ name: "account_members" })
@Index("IDX_account_members_user", ["userId"])
@Index("IDX_account_members_account_joined", ["accountId", "joinedAt", "userId"])
export class AccountMember {
  @PrimaryColumn({ type: "varchar", length: 36 })
  accountId: string;

  @PrimaryColumn({ type: "varchar", length: 36 })
  userId: string;

  @Field(() => MemberRole, { description: "What the member may do in the account." })
  @Column({ type: "varchar", length: 16 })
  role: MemberRole;

  @Field(() => Date, { description: "When the user became a member." })
  @Column()
  joinedAt: Date;

  /**
   * What this account's admin called the member when adding them. It belongs to this membership
   * alone: a user's own name comes only from their own sign-in, never from another tenant.
   */
  @Column({ type: "varchar", length: 200, nullable: true })
  nameGivenByAdmin: string | null;

  /** False only for the membership someone invited will have, which addAccountMember answers before they accept. */
  accepted?: boolean;
}
