import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Resolver, Root } from "type-graphql";
import { User } from "../users/user.entity";
import { WebhookDelivery, WebhookEndpoint, WebhookEndpointStatus, eventTypesOf } from "./webhook-endpoint.entity";
import {
  AddWebhookEndpointInput,
  AddWebhookEndpointPayload,
  RemoveWebhookEndpointInput,
  RemoveWebhookEndpointPayload,
  RotateWebhookSecretInput,
  RotateWebhookSecretPayload,
  UpdateWebhookEndpointInput,
  UpdateWebhookEndpointPayload,
  WebhookDeliveryConnection,
} from "./webhook.types";
import {
  addWebhookEndpoint,
  checkedWebhookUrl,
  MAX_WEBHOOK_ENDPOINTS,
  removeWebhookEndpoint,
  rotateWebhookSecret,
  updateWebhookEndpoint,
} from "./webhook.service";
import { WEBHOOK_DELIVERIES_PAGE } from "./webhook.queries";
import { AccountEventKind } from "../events/account-event.entity";
import { Account } from "../accounts/account.entity";
import { mayAdminister } from "../members/account-member.entity";
import { ConnectionArgs, DefaultPageSize } from "../common/pagination";
import { globalId, parseGlobalId } from "../common/global-id";
import { DomainError, ErrorCode, notFound } from "../errors";
import { FALLBACK_LOCALE, translate } from "../i18n";
import type { AccountChange } from "../accounts/account-change";
import type { Context } from "../context";

const endpointRowId = (id: string) => Number(parseGlobalId(id, "WebhookEndpoint", "webhookEndpointId")[0]);

/**
 * Runs `work` as a change of the account the endpoint belongs to. An endpoint of an account the
 * caller is not a member of looks exactly like one that does not exist (NOT_FOUND); a member who is
 * not an admin is refused (FORBIDDEN), as for every other change.
 */
async function changeEndpointAccount<T>(
  context: Context,
  id: number,
  work: (change: AccountChange) => Promise<T>,
  beforeChange?: () => Promise<void>,
) {
  const endpoint = await context.loaders.webhookEndpointById.load(id);
  const member = endpoint && (await context.loaders.membership.load({ accountId: endpoint.accountId, userId: context.requiredViewer.id }));
  if (!endpoint || !member) throw notFound("WebhookEndpoint");
  await beforeChange?.();
  try {
    return await context.changeAccount(globalId("Account", endpoint.accountId), work);
  } catch (error) {
    if (error instanceof DomainError && error.extensions.code === ErrorCode.NOT_FOUND) throw notFound("WebhookEndpoint");
    throw error;
  }
}

@Resolver(() => WebhookEndpoint)
export class WebhookEndpointResolver {
  @FieldResolver(() => ID, { description: "The endpoint's global id." })
  id(@Root() endpoint: WebhookEndpoint): string {
    return globalId("WebhookEndpoint", endpoint.sequence);
  }

  @FieldResolver(() => User, {
    nullable: true,
    description:
      "The admin who added the endpoint, or who set it ENABLED again after its creator lost access; null for endpoints added before this was kept. " +
      "When that person stops being an admin of the account, the endpoint is PAUSED (pausedReason CREATOR_NO_LONGER_ADMIN).",
  })
  createdBy(@Root() endpoint: WebhookEndpoint, @Ctx() context: Context): Promise<User | null> | null {
    return endpoint.createdById === null ? null : context.loaders.userById.load(endpoint.createdById);
  }

  @FieldResolver(() => [AccountEventKind], { description: "The kinds of change the endpoint receives." })
  eventTypes(@Root() endpoint: WebhookEndpoint): AccountEventKind[] {
    return eventTypesOf(endpoint);
  }

  @FieldResolver(() => String, {
    nullable: true,
    description:
      "Why the service DISABLED the endpoint, in the request's language; null unless DISABLED. lastError says how the last attempt failed.",
  })
  disabledReason(@Root() endpoint: WebhookEndpoint, @Ctx() context: Context): string | null {
    if (endpoint.status !== WebhookEndpointStatus.DISABLED) return null;
    const locale = context.scope?.locale ?? FALLBACK_LOCALE;
    return translate(locale, "webhook.disabledReason", {
      failures: endpoint.consecutiveFailures,
      since: (endpoint.failingSince ?? endpoint.disabledAt ?? endpoint.updatedAt).toISOString(),
      error: endpoint.lastError ?? "",
    });
  }

  @FieldResolver(() => WebhookDeliveryConnection, {
    description: `The endpoint's delivery attempts, newest first (each retry is an attempt of its own); ${WEBHOOK_DELIVERIES_PAGE} a page unless asked.`,
  })
  @DefaultPageSize(WEBHOOK_DELIVERIES_PAGE)
  deliveries(@Root() endpoint: WebhookEndpoint, @Args(() => ConnectionArgs) page: ConnectionArgs, @Ctx() context: Context) {
    return context.loaders.webhookDeliveryPage(page).load(endpoint.sequence);
  }

  @Authorized()
  @Mutation(() => AddWebhookEndpointPayload, {
    nullable: true,
    description:
      "Registers an endpoint that receives the account's changes from now on, signed with the secret this answer holds (and nothing will show again). " +
      "The URL must be https:// and resolve only to public addresses, or WEBHOOK_URL_REFUSED; " +
      `an account has at most ${MAX_WEBHOOK_ENDPOINTS} endpoints (BAD_USER_INPUT on url). Needs ADMIN.`,
  })
  async addWebhookEndpoint(
    @Arg("input", () => AddWebhookEndpointInput) input: AddWebhookEndpointInput,
    @Ctx() context: Context,
  ): Promise<AddWebhookEndpointPayload> {
    // Who may is settled before the URL is resolved: a member learns nothing of what the check would say.
    const account = await context.readableAccount(input.accountId, "accountId");
    const membership = await context.loaders.membership.load({ accountId: account.id, userId: context.requiredViewer.id });
    if (!membership || !mayAdminister(membership.role)) throw new DomainError("FORBIDDEN.adminOnly");
    const url = await checkedWebhookUrl(input.url, context.webhooks);
    const { account: changed, result } = await context.changeAccount(input.accountId, (change) =>
      addWebhookEndpoint(change, { url, eventTypes: input.eventTypes, description: input.description }),
    );
    return { account: changed, webhookEndpoint: result.endpoint, secret: result.secret };
  }

  @Authorized()
  @Mutation(() => UpdateWebhookEndpointPayload, {
    nullable: true,
    description:
      "Changes an endpoint's URL, event types, description or status: PAUSED stops deliveries, ENABLED resumes them (and gives a DISABLED endpoint a fresh start " +
      "at the event it stopped at). An endpoint of another account is NOT_FOUND. Needs ADMIN.",
  })
  async updateWebhookEndpoint(
    @Arg("input", () => UpdateWebhookEndpointInput) input: UpdateWebhookEndpointInput,
    @Ctx() context: Context,
  ): Promise<UpdateWebhookEndpointPayload> {
    const id = endpointRowId(input.webhookEndpointId);
    let url: string | null = null;
    const { account, result } = await changeEndpointAccount(
      context,
      id,
      (change) =>
        updateWebhookEndpoint(change, id, { url, eventTypes: input.eventTypes, description: input.description, status: input.status }),
      async () => {
        if (input.url != null) url = await checkedWebhookUrl(input.url, context.webhooks);
      },
    );
    return { account, webhookEndpoint: result };
  }

  @Authorized()
  @Mutation(() => RotateWebhookSecretPayload, {
    nullable: true,
    description:
      "Makes a new signing secret, shown only in this answer. Until previousSecretExpiresAt deliveries are signed with both secrets, so the receiver can switch without losing any. " +
      "An endpoint of another account is NOT_FOUND. Needs ADMIN.",
  })
  async rotateWebhookSecret(
    @Arg("input", () => RotateWebhookSecretInput) input: RotateWebhookSecretInput,
    @Ctx() context: Context,
  ): Promise<RotateWebhookSecretPayload> {
    const id = endpointRowId(input.webhookEndpointId);
    const { account, result } = await changeEndpointAccount(context, id, (change) =>
      rotateWebhookSecret(change, id, context.webhooks.secretOverlapMs),
    );
    return { account, webhookEndpoint: result.endpoint, secret: result.secret, previousSecretExpiresAt: result.previousSecretUntil };
  }

  @Authorized()
  @Mutation(() => RemoveWebhookEndpointPayload, {
    nullable: true,
    description:
      "Removes an endpoint and its delivery record; nothing more is sent to it. An endpoint of another account is NOT_FOUND. Needs ADMIN.",
  })
  async removeWebhookEndpoint(
    @Arg("input", () => RemoveWebhookEndpointInput) input: RemoveWebhookEndpointInput,
    @Ctx() context: Context,
  ): Promise<RemoveWebhookEndpointPayload> {
    const id = endpointRowId(input.webhookEndpointId);
    const { account } = await changeEndpointAccount(context, id, (change) => removeWebhookEndpoint(change, id));
    return { account, removedWebhookEndpointId: globalId("WebhookEndpoint", id) };
  }
}

@Resolver(() => WebhookDelivery)
export class WebhookDeliveryResolver {
  @FieldResolver(() => ID, { description: "The attempt's global id." })
  id(@Root() delivery: WebhookDelivery): string {
    return globalId("WebhookDelivery", delivery.sequence);
  }

  @FieldResolver(() => Int, {
    description: "The account event delivered: its sequence in the account's change log (`data.sequence` in the body).",
  })
  sequence(@Root() delivery: WebhookDelivery): number {
    return delivery.eventSequence;
  }
}

@Resolver(() => Account)
export class AccountWebhooksResolver {
  // Not paged, but up to MAX_WEBHOOK_ENDPOINTS long: the cost limit counts it at that size.
  @FieldResolver(() => [WebhookEndpoint], {
    description: `The endpoints that receive the account's changes, oldest first (at most ${MAX_WEBHOOK_ENDPOINTS}). Admins only: a plain member gets FORBIDDEN.`,
  })
  @DefaultPageSize(MAX_WEBHOOK_ENDPOINTS)
  async webhookEndpoints(@Root() account: Account, @Ctx() context: Context): Promise<WebhookEndpoint[]> {
    const membership = await context.loaders.membership.load({ accountId: account.id, userId: context.requiredViewer.id });
    if (!membership || !mayAdminister(membership.role)) throw new DomainError("FORBIDDEN.adminOnly");
    return context.loaders.webhookEndpoints.load(account.id);
  }
}
