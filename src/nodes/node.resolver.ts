import { Arg, Authorized, Ctx, ID, Query, Resolver } from "type-graphql";
import { Node } from "./node.type";
import { decodeGlobalId } from "../common/global-id";
import { badInput, DomainError, notFound } from "../errors";
import { message } from "../i18n";
import type { Context } from "../context";
import type { ContactRoleKind } from "../contacts/contact.enums";
import { roleContactsOf } from "../contacts/contact-role.types";
import { MemberRole, mayAdminister } from "../members/account-member.entity";

/** The most ids `nodes` takes at once. */
const MAX_NODES = 100;

/**
 * Finds what a global id names, as the caller may see it: an account and everything in it only for
 * its members, a user only for themselves and the members of an account they belong to. Anything
 * else is NOT_FOUND, exactly like an id that names nothing.
 */
async function findNode(context: Context, id: string, field: string): Promise<object> {
  const decoded = decodeGlobalId(id);
  // What is not an id names nothing: NOT_FOUND, as for an id of nothing.
  if (!decoded) throw new DomainError("NOT_FOUND.node", {}, {}, [{ field, message: message("NOT_FOUND.node") }]);
  const { loaders } = context;
  const viewerId = context.requiredViewer.id;
  const readable = async (accountId: string) => {
    const account = await loaders.accountAsMember.load({ accountId, userId: viewerId });
    if (!account) throw notFound(decoded.type);
    return account;
  };
  const [first, second] = decoded.key as [string, string];
  let found: object | null | undefined;
  switch (decoded.type) {
    case "Account":
      found = await readable(first);
      break;
    case "User":
      found = (await loaders.visibleUser.load(`${viewerId}:${first}`)) ? await loaders.userById.load(first) : null;
      break;
    case "AccountMember":
      await readable(first);
      found = await loaders.membership.load({ accountId: first, userId: second });
      break;
    case "ContactRole":
      await readable(first);
      found = roleContactsOf(await loaders.contactSlots.load(first)).find((contact) => contact.role === second);
      break;
    case "ContactVerification": {
      await readable(first);
      const contact = roleContactsOf(await loaders.contactSlots.load(first)).find((candidate) => candidate.role === second);
      // Only an outside address has a verification, and only of that address.
      if (contact && contact.userId === null) {
        found = (await loaders.verifications.load(first)).find(
          (row) => row.role === (second as ContactRoleKind) && row.email === contact.email,
        );
      }
      break;
    }
    case "ContactChange": {
      const change = await loaders.contactChangeById.load(Number(first));
      if (change) await readable(change.accountId);
      found = change;
      break;
    }
    case "AccountSettingChange": {
      const change = await loaders.settingChangeById.load(Number(first));
      if (change) await readable(change.accountId);
      found = change;
      break;
    }
    case "MemberChange": {
      const change = await loaders.memberChangeById.load(Number(first));
      if (change) await readable(change.accountId);
      found = change;
      break;
    }
    case "AccountInvitation": {
      // The person invited sees their invitation; in the account, only its admins do.
      const invitation = await loaders.invitationById.load(Number(first));
      if (invitation && invitation.userId !== viewerId) {
        await readable(invitation.accountId);
        const membership = await loaders.membership.load({ accountId: invitation.accountId, userId: viewerId });
        if (membership?.role === MemberRole.ADMIN) found = invitation;
      } else found = invitation;
      break;
    }
    case "WebhookEndpoint":
    case "WebhookDelivery": {
      // Endpoints and their deliveries are for the account's admins only; to anyone else they do not exist.
      const delivery = decoded.type === "WebhookDelivery" ? await loaders.webhookDeliveryById.load(Number(first)) : null;
      const endpointId = decoded.type === "WebhookDelivery" ? delivery?.endpointId : Number(first);
      const endpoint = endpointId === undefined ? null : await loaders.webhookEndpointById.load(endpointId);
      if (endpoint) {
        await readable(endpoint.accountId);
        const membership = await loaders.membership.load({ accountId: endpoint.accountId, userId: viewerId });
        if (membership && mayAdminister(membership.role)) found = decoded.type === "WebhookDelivery" ? delivery : endpoint;
      }
      break;
    }
    case "NotificationDelivery": {
      const delivery = await loaders.deliveryById.load(Number(first));
      if (delivery) await readable(delivery.accountId);
      found = delivery;
      break;
    }
  }
  if (!found) throw notFound(decoded.type);
  return found;
}

@Resolver()
export class NodeResolver {
  @Authorized()
  @Query(() => Node, {
    nullable: true,
    description:
      "The object a global id names. Null, with a NOT_FOUND error, when it does not exist or the caller may not see it " +
      "(an account and everything in it is visible to its members; a user to themselves and to members of an account they belong to).",
  })
  node(@Arg("id", () => ID, { description: "A global id, as any object's `id` field gives it." }) id: string, @Ctx() context: Context) {
    return findNode(context, id, "id");
  }

  @Authorized()
  @Query(() => [Node], {
    nullable: "items",
    description: `The objects several global ids name, in the same order (at most ${MAX_NODES}); each is null, with a NOT_FOUND error at its index, like \`node\`.`,
  })
  nodes(
    @Arg("ids", () => [ID], { description: `Up to ${MAX_NODES} global ids.` }) ids: string[],
    @Ctx() context: Context,
  ): Promise<(object | Error)[]> {
    if (ids.length > MAX_NODES) throw badInput("BAD_USER_INPUT.tooManyIds", { count: MAX_NODES }, "ids");
    // A failed item is returned as its error: GraphQL reports it at that index and leaves the others.
    return Promise.all(ids.map((id, index) => findNode(context, id, `ids.${index}`).catch((error: Error) => error)));
  }
}
