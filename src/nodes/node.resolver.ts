import { Arg, Authorized, Ctx, ID, Query, Resolver } from "type-graphql";
import { Node } from "./node.type";
import { decodeGlobalId } from "../common/global-id";
import { badInput, DomainError, notFound } from "../errors";
import { message } from "../i18n";
import type { Context } from "../context";

/** The most ids `nodes` takes at once. */
const MAX_NODES = 100;

/** What a node finder is given: the request, and the account check every object of an account goes through. */
export interface NodeLookup {
  context: Context;
  viewerId: string;
  /** The account, when the viewer is its member; NOT_FOUND (of the type asked for) otherwise. */
  readable(accountId: string): Promise<object>;
}

/**
 * Finds the object of one type that a global id's key names, as the caller may see it; null or
 * undefined when there is none or the caller may not see it. Each module declares the finders of its types.
 */
export type NodeFinder = (key: readonly string[], lookup: NodeLookup) => Promise<object | null | undefined>;

/** Finds a row of an account by its sequence (the id's one key), for the account's members only. */
export function accountRowFinder(load: (context: Context, sequence: number) => Promise<{ accountId: string } | null>): NodeFinder {
  return async ([sequence], { context, readable }) => {
    const row = await load(context, Number(sequence));
    if (row) await readable(row.accountId);
    return row;
  };
}

/**
 * Finds what a global id names, as the caller may see it: an account and everything in it only for
 * its members, a user only for themselves and the members of an account they belong to. Anything
 * else is NOT_FOUND, exactly like an id that names nothing.
 */
async function findNode(finders: ReadonlyMap<string, NodeFinder>, context: Context, id: string, field: string): Promise<object> {
  const decoded = decodeGlobalId(id);
  // What is not an id names nothing: NOT_FOUND, as for an id of nothing.
  if (!decoded) throw new DomainError("NOT_FOUND.node", {}, {}, [{ field, message: message("NOT_FOUND.node") }]);
  const viewerId = context.requiredViewer.id;
  const readable = async (accountId: string) => {
    const account = await context.loaders.accountAsMember.load({ accountId, userId: viewerId });
    if (!account) throw notFound(decoded.type);
    return account;
  };
  const find = finders.get(decoded.type);
  const found = find ? await find(decoded.key, { context, viewerId, readable }) : null;
  if (!found) throw notFound(decoded.type);
  return found;
}

/** `node(id:)` and `nodes(ids:)`, answered by the finders the modules declare, by type name. */
export function nodeResolver(finders: ReadonlyMap<string, NodeFinder>) {
  @Resolver()
  class NodeResolver {
    @Authorized()
    @Query(() => Node, {
      nullable: true,
      description:
        "The object a global id names. Null, with a NOT_FOUND error, when it does not exist or the caller may not see it " +
        "(an account and everything in it is visible to its members; a user to themselves and to members of an account they belong to).",
    })
    node(@Arg("id", () => ID, { description: "A global id, as any object's `id` field gives it." }) id: string, @Ctx() context: Context) {
      return findNode(finders, context, id, "id");
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
      return Promise.all(ids.map((id, index) => findNode(finders, context, id, `ids.${index}`).catch((error: Error) => error)));
    }
  }
  return NodeResolver;
}
