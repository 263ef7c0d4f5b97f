import { Field, ObjectType, registerEnumType } from "type-graphql";
import { Column, Entity, Index, PrimaryGeneratedColumn } from "typeorm";
import { Node } from "../nodes/node.type";
import { MemberRole } from "./account-member.entity";

/** What happened to a membership; the database's CHECK names the same ones. */
export enum MemberChangeAction {
  JOINED = "JOINED",
  ROLE_CHANGED = "ROLE_CHANGED",
  REMOVED = "REMOVED",
  LEFT = "LEFT",
}

registerEnumType(MemberChangeAction, {
  name: "MemberChangeAction",
  description: "What happened to a membership.",
  valuesConfig: {
    JOINED: { description: "The person became a member, with `newRole`." },
    ROLE_CHANGED: { description: "An admin changed the member's role from `previousRole` to `newRole`." },
    REMOVED: { description: "An admin ended the membership; `previousRole` is the role it had." },
    LEFT: { description: "The member ended their own membership; `previousRole` is the role it had." },
  },
});

@ObjectType({
  implements: Node,
  description: "One change to an account's membership (someone joining, leaving or changing role), written with the change itself.",
})
@Entity({ name: "member_changes" })
@Index("IDX_member_changes_account_id", ["accountId", "sequence"])
@Index("IDX_member_changes_account_event", ["accountId", "eventSequence"])
export class MemberChange {
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

  /** Who made the change: an admin, or the member themselves (leaving). */
  @Column({ type: "varchar", length: 36 })
  actorId: string;

  /** The member the change is about; their user record outlives the membership. */
  @Column({ type: "varchar", length: 36 })
  memberId: string;

  @Field(() => String, { description: "The member's email address when the change was made." })
  @Column({ type: "varchar", length: 320 })
  email: string;

  @Field(() => MemberChangeAction, { description: "What happened." })
  @Column({ type: "varchar", length: 16 })
  action: MemberChangeAction;

  @Field(() => MemberRole, { nullable: true, description: "The member's role before the change; null when they joined." })
  @Column({ type: "varchar", length: 16, nullable: true })
  previousRole: MemberRole | null;

  @Field(() => MemberRole, { nullable: true, description: "The member's role after the change; null when they left or were removed." })
  @Column({ type: "varchar", length: 16, nullable: true })
  newRole: MemberRole | null;
}
