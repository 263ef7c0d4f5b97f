import { Arg, Args, Authorized, Ctx, ID, Mutation, Query, Resolver } from "type-graphql";
import { OutboxMessage } from "./outbox-message.entity";
import { DeliveryPageArgs, NotificationDeliveryConnection, SendTestNotificationInput } from "./delivery.types";
import { listDeliveries } from "./outbox.service";
import { requestTestNotification } from "./test-notification.service";
import { readableAccount } from "../accounts/account-access";
import type { Context } from "../context";

@Authorized()
@Resolver(() => OutboxMessage)
export class DeliveryResolver {
  @Mutation(() => [OutboxMessage], {
    description:
      "Queues a test message to every recipient of a category (see Account.notificationRecipients) and returns one delivery per recipient, " +
      "PENDING until the mail server accepts it. A recipient whose address is not confirmed (a member who never signed in, an outside " +
      "address not yet VERIFIED) is sent nothing: their delivery is SKIPPED, with skipReason saying why. " +
      "Mail per account is capped (MAIL_PER_ACCOUNT_PER_HOUR): past the cap the request is refused with RATE_LIMITED and queues nothing. Needs ADMIN.",
  })
  sendTestNotification(@Arg("input", () => SendTestNotificationInput) input: SendTestNotificationInput, @Ctx() context: Context) {
    return requestTestNotification(context.db, context.outbox, context.requiredViewer, input.accountId, input.category);
  }

  @Query(() => NotificationDeliveryConnection, { description: "The messages sent on behalf of an account, newest first: to whom, why and how far they got." })
  async notificationDeliveries(
    @Arg("accountId", () => ID, { description: "The account." }) accountId: string,
    @Args(() => DeliveryPageArgs) page: DeliveryPageArgs,
    @Ctx() context: Context,
  ) {
    const account = await readableAccount(context, accountId, "accountId");
    return listDeliveries(context.db, account.id, page.pageSize, page.after);
  }
}
