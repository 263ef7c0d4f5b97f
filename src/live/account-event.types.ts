import { Field, Int, ObjectType } from "type-graphql";
import { AccountEventKind } from "../events/account-event.entity";

@ObjectType({
  description:
    "One committed change of an account, as `Subscription.accountChanged` delivers it: the history rows it wrote and the account as it is now. " +
    "With `reloadRequired`, more was missed than is sent again: refetch the account and subscribe again after its `eventSequence`.",
})
export class AccountChangedEvent {
  @Field(() => Int, {
    description:
      "The event's sequence in the account's change log: 1, 2, 3… in commit order, without gaps. Resume after it with `afterSequence`.",
  })
  sequence: number;

  @Field(() => Int, { description: "The account's contactsVersion after the change." })
  contactsVersion: number;

  @Field(() => [AccountEventKind], { description: "What the change is about. Every kind when `reloadRequired`." })
  kinds: AccountEventKind[];

  @Field(() => Date, { description: "When the change was committed; for `reloadRequired`, when it was sent." })
  at: Date;

  @Field(() => Boolean, {
    description:
      "True when the events after `afterSequence` cannot all be sent (more were missed than the server sends again, or the account never reached that sequence): " +
      "refetch the account and subscribe after its `eventSequence`, which `sequence` carries. The history lists are then empty.",
  })
  reloadRequired: boolean;

  accountId: string;
  actorId: string | null;
  actorEmail: string | null;
}
