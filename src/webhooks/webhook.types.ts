import { Field, ID, InputType, ObjectType } from "type-graphql";
import { IsGlobalId } from "../common/global-id";
import { Account } from "../accounts/account.entity";
import { AccountEventKind } from "../events/account-event.entity";
import { ConnectionType } from "../common/pagination";
import { WebhookDelivery, WebhookEndpoint, WebhookEndpointStatus } from "./webhook-endpoint.entity";

@ObjectType({ description: "A page of an endpoint's delivery attempts, newest first." })
export class WebhookDeliveryConnection extends ConnectionType(WebhookDelivery, "WebhookDelivery", "delivery attempts") {}

@InputType({ description: "Registers an HTTPS endpoint to receive the account's changes." })
export class AddWebhookEndpointInput {
  @Field(() => ID, { description: "The account." })
  @IsGlobalId("Account")
  accountId: string;

  @Field(() => String, { description: "An https:// URL on a public address; deliveries are POSTed to it. Redirects are not followed." })
  url: string;

  @Field(() => [AccountEventKind], { description: "The kinds of change it receives (at least one)." })
  eventTypes: AccountEventKind[];

  @Field(() => String, { nullable: true, description: "A note for the admins: what the endpoint is for." })
  description?: string | null;
}

@ObjectType({ description: "The result of addWebhookEndpoint: the endpoint, and its signing secret, shown this once." })
export class AddWebhookEndpointPayload {
  @Field(() => Account, { description: "The account." })
  account: Account;

  @Field(() => WebhookEndpoint, { description: "The new endpoint, ENABLED: it receives the changes made from now on." })
  webhookEndpoint: WebhookEndpoint;

  @Field(() => String, {
    description: "The signing secret (`whsec_…`). Shown only here: store it with the receiver. rotateWebhookSecret makes a new one.",
  })
  secret: string;
}

@InputType({ description: "Changes a webhook endpoint; fields left out stay as they are." })
export class UpdateWebhookEndpointInput {
  @Field(() => ID, { description: "The endpoint (WebhookEndpoint.id)." })
  @IsGlobalId("WebhookEndpoint")
  webhookEndpointId: string;

  @Field(() => String, { nullable: true, description: "A new URL, checked as addWebhookEndpoint checks it." })
  url?: string | null;

  @Field(() => [AccountEventKind], { nullable: true, description: "The kinds of change it receives from now on (at least one)." })
  eventTypes?: AccountEventKind[] | null;

  @Field(() => String, { nullable: true, description: "A new note; an empty string removes it." })
  description?: string | null;

  @Field(() => WebhookEndpointStatus, {
    nullable: true,
    description:
      "PAUSED stops deliveries; ENABLED resumes them (a DISABLED endpoint starts again, its failures forgotten, at the event it stopped at). DISABLED is set only by the service.",
  })
  status?: WebhookEndpointStatus | null;
}

@ObjectType({ description: "The result of updateWebhookEndpoint." })
export class UpdateWebhookEndpointPayload {
  @Field(() => Account, { description: "The account." })
  account: Account;

  @Field(() => WebhookEndpoint, { description: "The endpoint as it is now." })
  webhookEndpoint: WebhookEndpoint;
}

@InputType({ description: "Makes a new signing secret for an endpoint." })
export class RotateWebhookSecretInput {
  @Field(() => ID, { description: "The endpoint (WebhookEndpoint.id)." })
  @IsGlobalId("WebhookEndpoint")
  webhookEndpointId: string;
}

@ObjectType({ description: "The result of rotateWebhookSecret: the new secret, shown this once." })
export class RotateWebhookSecretPayload {
  @Field(() => Account, { description: "The account." })
  account: Account;

  @Field(() => WebhookEndpoint, { description: "The endpoint." })
  webhookEndpoint: WebhookEndpoint;

  @Field(() => String, { description: "The new signing secret (`whsec_…`). Shown only here." })
  secret: string;

  @Field(() => Date, {
    description: "Until then deliveries carry a signature with the previous secret too, so the receiver can switch over.",
  })
  previousSecretExpiresAt: Date;
}

@InputType({ description: "Removes a webhook endpoint; nothing more is sent to it." })
export class RemoveWebhookEndpointInput {
  @Field(() => ID, { description: "The endpoint (WebhookEndpoint.id)." })
  @IsGlobalId("WebhookEndpoint")
  webhookEndpointId: string;
}

@ObjectType({ description: "The result of removeWebhookEndpoint." })
export class RemoveWebhookEndpointPayload {
  @Field(() => Account, { description: "The account." })
  account: Account;

  @Field(() => ID, { description: "The id of the endpoint removed, with its delivery record." })
  removedWebhookEndpointId: string;
}
