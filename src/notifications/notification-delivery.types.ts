import { Field, ID, InputType, ObjectType } from "type-graphql";
import { IsGlobalId } from "../common/global-id";
import { NotificationDelivery } from "./notification-delivery.entity";
import { MAX_SLOT_HOLDERS, NotificationCategory } from "../contacts/notification-routing";
import { ConnectionType, MaxItems } from "../common/pagination";
import { Account } from "../accounts/account.entity";

@ObjectType({ description: "A page of an account's message deliveries, newest first." })
export class NotificationDeliveryConnection extends ConnectionType(NotificationDelivery, "NotificationDelivery", "deliveries") {}

@InputType({ description: "Sends a test message of one category to everyone who receives that category." })
export class SendTestNotificationInput {
  @Field(() => ID, { description: "The account." })
  @IsGlobalId("Account")
  accountId: string;

  @Field(() => NotificationCategory, { description: "The category whose recipients get the test message." })
  category: NotificationCategory;
}

@ObjectType({ description: "The result of sendTestNotification." })
export class SendTestNotificationPayload {
  @Field(() => Account, { description: "The account the messages were sent for." })
  account: Account;

  @Field(() => [NotificationDelivery], {
    description: "One delivery per recipient of the category: PENDING until the mail server accepts it, or SKIPPED with the reason.",
  })
  @MaxItems(MAX_SLOT_HOLDERS)
  deliveries: NotificationDelivery[];
}

@InputType({ description: "Sends a FAILED message again." })
export class RequeueNotificationDeliveryInput {
  @Field(() => ID, { description: "The delivery (NotificationDelivery.id)." })
  @IsGlobalId("NotificationDelivery")
  deliveryId: string;
}

@ObjectType({ description: "The result of requeueNotificationDelivery." })
export class RequeueNotificationDeliveryPayload {
  @Field(() => Account, { description: "The account the message was sent for." })
  account: Account;

  @Field(() => NotificationDelivery, { description: "The delivery, PENDING again with no attempts counted." })
  delivery: NotificationDelivery;
}
