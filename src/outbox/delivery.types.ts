import { ArgsType, Field, ID, InputType, ObjectType } from "type-graphql";
import { IsUUID } from "class-validator";
import { OutboxMessage } from "./outbox-message.entity";
import { NotificationCategory } from "../notifications/notification-routing";
import { ConnectionType, PageArgsType } from "../common/pagination";

@ObjectType({ description: "A page of an account's message deliveries, newest first." })
export class NotificationDeliveryConnection extends ConnectionType(OutboxMessage, "NotificationDelivery", "deliveries") {}

@ArgsType()
export class DeliveryPageArgs extends PageArgsType(20) {}

@InputType({ description: "Sends a test message of one category to everyone who receives that category." })
export class SendTestNotificationInput {
  @Field(() => ID, { description: "The account." })
  @IsUUID("all", { message: "accountId is not a valid id" })
  accountId: string;

  @Field(() => NotificationCategory, { description: "The category whose recipients get the test message." })
  category: NotificationCategory;
}
