import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from "type-graphql";
import { NotificationDelivery } from "./notification-delivery.entity";
import { NotificationDeliveryConnection, SendTestNotificationInput, SendTestNotificationPayload } from "./notification-delivery.types";
import { DELIVERIES_PAGE, listDeliveries } from "./delivery.queries";
import { sendTestNotification } from "./test-notification.service";
import { Account } from "../accounts/account.entity";
import { ConnectionArgs, DefaultPageSize } from "../common/pagination";
import { globalId } from "../common/global-id";
import type { Context } from "../context";

@Resolver(() => NotificationDelivery)
export class DeliveryResolver {
  @FieldResolver(() => ID, { description: "The delivery's global id." })
  id(@Root() message: NotificationDelivery): string {
    return globalId("NotificationDelivery", message.sequence);
  }

  @Authorized()
  @Mutation(() => SendTestNotificationPayload, {
    description:
      "Queues a test message to every recipient of a category (see Account.notificationRecipients) and returns one delivery per recipient, " +
      "PENDING until the mail server accepts it. A recipient whose address is not confirmed (a member who never signed in, an outside " +
      "address not yet VERIFIED) is sent nothing: their delivery is SKIPPED, with skipReason saying why. " +
      "Mail per account is capped (MAIL_PER_ACCOUNT_PER_HOUR): past the cap the request is refused with RATE_LIMITED and queues nothing. Needs ADMIN.",
  })
  async sendTestNotification(@Arg("input", () => SendTestNotificationInput) input: SendTestNotificationInput, @Ctx() context: Context): Promise<SendTestNotificationPayload> {
    const { account, result: deliveries } = await context.changeAccount(input.accountId, (change) => sendTestNotification(change, input.category));
    return { account, deliveries };
  }
}

@Resolver(() => Account)
export class AccountDeliveriesResolver {
  @FieldResolver(() => NotificationDeliveryConnection, {
    description: `The messages sent on behalf of the account, newest first: to whom, why and how far they got; ${DELIVERIES_PAGE} a page unless asked.`,
  })
  @DefaultPageSize(DELIVERIES_PAGE)
  notificationDeliveries(@Root() account: Account, @Args(() => ConnectionArgs) page: ConnectionArgs, @Ctx() context: Context) {
    return listDeliveries(context.db, account.id, page);
  }
}
