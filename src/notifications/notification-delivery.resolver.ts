import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from "type-graphql";
import { NotificationDelivery } from "./notification-delivery.entity";
import {
  NotificationDeliveryConnection,
  RequeueNotificationDeliveryInput,
  RequeueNotificationDeliveryPayload,
  SendTestNotificationInput,
  SendTestNotificationPayload,
} from "./notification-delivery.types";
import { DELIVERIES_PAGE, deliveriesByIds } from "./delivery.queries";
import { requeueDelivery } from "./requeue.service";
import { DomainError, ErrorCode, notFound } from "../errors";
import { sendTestNotification } from "./test-notification.service";
import { Account } from "../accounts/account.entity";
import { ConnectionArgs, DefaultPageSize } from "../common/pagination";
import { globalId, parseGlobalId } from "../common/global-id";
import type { Context } from "../context";
import { FALLBACK_LOCALE, translate } from "../i18n";
import { parseStoredFailure } from "./delivery-errors";

@Resolver(() => NotificationDelivery)
export class DeliveryResolver {
  @FieldResolver(() => ID, { description: "The delivery's global id." })
  id(@Root() message: NotificationDelivery): string {
    return globalId("NotificationDelivery", message.sequence);
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: "Why the last attempt failed, if it did: a sentence in the request's language.",
  })
  lastError(@Root() message: NotificationDelivery, @Ctx() context: Context): string | null {
    if (message.lastError === null) return null;
    const locale = context.scope?.locale ?? FALLBACK_LOCALE;
    const { failure, smtpCode } = parseStoredFailure(message.lastError);
    const reason = translate(locale, `delivery.failure.${failure}`);
    return smtpCode === null ? reason : translate(locale, "delivery.failure.withCode", { reason, code: smtpCode });
  }

  @Authorized()
  @Mutation(() => SendTestNotificationPayload, {
    nullable: true,
    description:
      "Queues a test message to every recipient of a category (see Account.notificationRecipients) and returns one delivery per recipient, " +
      "PENDING until the mail server accepts it. A recipient whose address is not confirmed (a member who never signed in, an outside " +
      "address not yet VERIFIED) is sent nothing: their delivery is SKIPPED, with skipReason saying why. " +
      "Mail per account is capped (MAIL_PER_ACCOUNT_PER_HOUR): past the cap the request is refused with RATE_LIMITED and queues nothing. Needs ADMIN.",
  })
  async sendTestNotification(
    @Arg("input", () => SendTestNotificationInput) input: SendTestNotificationInput,
    @Ctx() context: Context,
  ): Promise<SendTestNotificationPayload> {
    const { account, result: deliveries } = await context.changeAccount(input.accountId, (change) =>
      sendTestNotification(change, input.category),
    );
    return { account, deliveries };
  }

  @Authorized()
  @Mutation(() => RequeueNotificationDeliveryPayload, {
    nullable: true,
    description:
      "Sends a FAILED message again: it becomes PENDING, due now, with every attempt (OUTBOX_MAX_ATTEMPTS) ahead of it. " +
      "Refused with BAD_USER_INPUT for a message in any other state, and for a verification message (ask for a new one with resendContactVerification). Needs ADMIN.",
  })
  async requeueNotificationDelivery(
    @Arg("input", () => RequeueNotificationDeliveryInput) input: RequeueNotificationDeliveryInput,
    @Ctx() context: Context,
  ): Promise<RequeueNotificationDeliveryPayload> {
    const sequence = Number(parseGlobalId(input.deliveryId, "NotificationDelivery", "deliveryId")[0]);
    const [found] = await deliveriesByIds(context.db, [sequence]);
    if (!found) throw notFound("NotificationDelivery");
    try {
      const { account, result: delivery } = await context.changeAccount(globalId("Account", found.accountId), (change) =>
        requeueDelivery(change, sequence),
      );
      return { account, delivery };
    } catch (error) {
      // Another account's delivery looks exactly like a missing one.
      if (error instanceof DomainError && error.extensions.code === ErrorCode.NOT_FOUND) throw notFound("NotificationDelivery");
      throw error;
    }
  }
}

@Resolver(() => Account)
export class AccountDeliveriesResolver {
  @FieldResolver(() => NotificationDeliveryConnection, {
    description: `The messages sent on behalf of the account, newest first: to whom, why and how far they got; ${DELIVERIES_PAGE} a page unless asked.`,
  })
  @DefaultPageSize(DELIVERIES_PAGE)
  notificationDeliveries(@Root() account: Account, @Args(() => ConnectionArgs) page: ConnectionArgs, @Ctx() context: Context) {
    return context.loaders.deliveryPage(page).load(account.id);
  }
}
