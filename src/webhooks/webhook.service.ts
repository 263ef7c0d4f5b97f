import type { AccountChange } from "../accounts/account-change";
import type { AccountEventKind } from "../events/account-event.entity";
import { badInput, DomainError, notFound } from "../errors";
import { message } from "../i18n";
import { storedEventTypes, WebhookEndpoint, WebhookEndpointStatus, WebhookPauseReason } from "./webhook-endpoint.entity";
import { countEndpoints, latestEventSequence } from "./webhook.queries";
import { checkDestination, DestinationRefused, type DestinationPolicy, type RefusalReason } from "./webhook-destination";
import { newWebhookSecret } from "./webhook-signing";

/** Endpoints one account may have. */
export const MAX_WEBHOOK_ENDPOINTS = 10;
const MAX_URL_LENGTH = 2048;
const MAX_DESCRIPTION_LENGTH = 500;

/** The message of each refusal of a destination. */
const REFUSALS = {
  invalidUrl: "WEBHOOK_URL_REFUSED.invalidUrl",
  notHttps: "WEBHOOK_URL_REFUSED.notHttps",
  hasCredentials: "WEBHOOK_URL_REFUSED.hasCredentials",
  internalAddress: "WEBHOOK_URL_REFUSED.internalAddress",
  unresolvable: "WEBHOOK_URL_REFUSED.unresolvable",
} as const satisfies Record<RefusalReason, string>;

/**
 * The URL an endpoint may use, checked before any change is opened (it resolves the host, which
 * must not happen while the account's lock is held): WEBHOOK_URL_REFUSED on `url` otherwise.
 */
export async function checkedWebhookUrl(url: string, policy: DestinationPolicy, field = "url"): Promise<string> {
  const trimmed = url.trim();
  if (trimmed.length > MAX_URL_LENGTH) throw badInput("BAD_USER_INPUT.webhookUrlTooLong", { max: MAX_URL_LENGTH }, field);
  try {
    return (await checkDestination(trimmed, policy)).href;
  } catch (error) {
    if (!(error instanceof DestinationRefused)) throw error;
    const key = REFUSALS[error.reason];
    throw new DomainError(key, {}, {}, [{ field, message: message(key) }]);
  }
}

function eventTypesColumn(kinds: readonly AccountEventKind[], field: string): string {
  const stored = storedEventTypes(kinds);
  if (stored === "") throw badInput("BAD_USER_INPUT.webhookNoEventTypes", {}, field);
  return stored;
}

function descriptionColumn(description: string | null | undefined): string | null {
  const trimmed = description?.trim() ?? "";
  if (trimmed.length > MAX_DESCRIPTION_LENGTH)
    throw badInput("BAD_USER_INPUT.webhookDescriptionTooLong", { max: MAX_DESCRIPTION_LENGTH }, "description");
  return trimmed === "" ? null : trimmed;
}

/** The endpoint `id` of the changed account, read under its lock; any other is NOT_FOUND. */
async function endpointOf(change: AccountChange, id: number): Promise<WebhookEndpoint> {
  const endpoint = await change.manager.findOne(WebhookEndpoint, { where: { sequence: id, accountId: change.account.id } });
  if (!endpoint) throw notFound("WebhookEndpoint");
  return endpoint;
}

/** Adds an ENABLED endpoint that receives the account's events from its latest one on; returns it and its secret. */
export async function addWebhookEndpoint(
  change: AccountChange,
  input: { url: string; eventTypes: AccountEventKind[]; description?: string | null },
): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  const eventTypes = eventTypesColumn(input.eventTypes, "eventTypes");
  const description = descriptionColumn(input.description);
  if ((await countEndpoints(change.manager, change.account.id)) >= MAX_WEBHOOK_ENDPOINTS) {
    throw badInput("BAD_USER_INPUT.webhookEndpointLimit", { max: MAX_WEBHOOK_ENDPOINTS }, "url");
  }
  const now = new Date();
  const secret = newWebhookSecret();
  const values = {
    accountId: change.account.id,
    url: input.url,
    description,
    eventTypes,
    status: WebhookEndpointStatus.ENABLED,
    secret,
    previousSecret: null,
    previousSecretUntil: null,
    secretRotatedAt: null,
    // The account's lock is held: no event can be committed between reading the latest and this insert.
    cursor: await latestEventSequence(change.manager, change.account.id),
    pendingAttempts: 0,
    consecutiveFailures: 0,
    failingSince: null,
    nextAttemptAt: null,
    leaseUntil: null,
    leaseToken: null,
    lastError: null,
    lastResponseStatus: null,
    lastDeliveryAt: null,
    disabledAt: null,
    createdById: change.actor.id,
    pausedReason: null,
    createdAt: now,
    updatedAt: now,
  };
  const inserted = await change.manager.insert(WebhookEndpoint, values);
  const endpoint = await endpointOf(change, Number(inserted.identifiers[0]!.sequence));
  return { endpoint, secret };
}

/** Changes an endpoint's URL (checked already), kinds, note or status; ENABLED after DISABLED forgets the failures and is due at once. */
export async function updateWebhookEndpoint(
  change: AccountChange,
  id: number,
  patch: {
    url?: string | null;
    eventTypes?: AccountEventKind[] | null;
    description?: string | null;
    status?: WebhookEndpointStatus | null;
  },
): Promise<WebhookEndpoint> {
  const endpoint = await endpointOf(change, id);
  const values: Partial<WebhookEndpoint> = { updatedAt: new Date() };
  if (patch.url != null) values.url = patch.url;
  if (patch.eventTypes != null) values.eventTypes = eventTypesColumn(patch.eventTypes, "eventTypes");
  if (patch.description !== undefined) values.description = descriptionColumn(patch.description);
  if (patch.status === WebhookEndpointStatus.DISABLED) throw badInput("BAD_USER_INPUT.webhookCannotDisable", {}, "status");
  if (patch.status === WebhookEndpointStatus.PAUSED)
    Object.assign(values, { status: WebhookEndpointStatus.PAUSED, pausedReason: WebhookPauseReason.ADMIN });
  if (patch.status === WebhookEndpointStatus.ENABLED && endpoint.status !== WebhookEndpointStatus.ENABLED) {
    Object.assign(values, {
      status: WebhookEndpointStatus.ENABLED,
      consecutiveFailures: 0,
      failingSince: null,
      nextAttemptAt: null,
      disabledAt: null,
      pausedReason: null,
    });
    // Whoever enables an endpoint its creator could no longer keep answers for it from now on.
    if (endpoint.pausedReason === WebhookPauseReason.CREATOR_NO_LONGER_ADMIN) values.createdById = change.actor.id;
  }
  await change.manager.update(WebhookEndpoint, { sequence: endpoint.sequence }, values);
  return endpointOf(change, id);
}

/** A new secret; the previous one keeps signing beside it for `overlapMs`. Returns the endpoint, the secret and when the overlap ends. */
export async function rotateWebhookSecret(
  change: AccountChange,
  id: number,
  overlapMs: number,
): Promise<{ endpoint: WebhookEndpoint; secret: string; previousSecretUntil: Date }> {
  const endpoint = await endpointOf(change, id);
  const now = new Date();
  const secret = newWebhookSecret();
  const previousSecretUntil = new Date(now.getTime() + overlapMs);
  await change.manager.update(
    WebhookEndpoint,
    { sequence: endpoint.sequence },
    { secret, previousSecret: endpoint.secret, previousSecretUntil, secretRotatedAt: now, updatedAt: now },
  );
  return { endpoint: await endpointOf(change, id), secret, previousSecretUntil };
}

/** Removes an endpoint and its delivery record. */
export async function removeWebhookEndpoint(change: AccountChange, id: number): Promise<void> {
  const endpoint = await endpointOf(change, id);
  await change.manager.delete(WebhookEndpoint, { sequence: endpoint.sequence });
}
