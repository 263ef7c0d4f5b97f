import "reflect-metadata";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import type { AddressInfo } from "node:net";
import express from "express";
import cors from "cors";
import { ApolloServer } from "@apollo/server";
import { expressMiddleware } from "@as-integrations/express5";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import { DateTimeResolver } from "graphql-scalars";
import { Database } from "../src/database";
import { User } from "../src/users/user.entity";
import { Account } from "../src/accounts/account.entity";
import { AccountMember, mayAdminister, type MemberRole } from "../src/members/account-member.entity";
import { AccountContact } from "../src/contacts/account-contact.entity";
import { ContactRole, roleContactsOf } from "../src/contacts/contact-role.types";
import { bySlotOrder } from "../src/contacts/account-contacts";
import { ContactChange } from "../src/history/contact-change.entity";
import { ContactSlot, slotOfRole, type ContactRoleKind } from "../src/contacts/contact.enums";
import { decodeCursor, encodeCursor, type OrderColumn } from "../src/common/pagination";
import { decodeGlobalId, globalId } from "../src/common/global-id";
import { routeNotification, type NotificationCategory } from "../src/contacts/notification-routing";

/*
 * The ceiling the benchmark compares against: the same HTTP stack as the service (express 5, cors,
 * express.json, Apollo Server through @as-integrations/express5) serving the schema emitted in
 * schema.graphql, with resolvers that answer from plain in-memory objects loaded from the same
 * database at start-up. No token check and no database per request: everything left is the cost
 * of HTTP, JSON and GraphQL execution for the same answers.
 *
 * Environment: DATABASE_URL (the seeded database), VIEWER_EMAIL (whose accounts `accounts` lists),
 * PORT (0 for any free port). Prints "listening on <url>" when ready.
 */

interface Data {
  viewer: User;
  users: Map<string, User>;
  accounts: Map<string, Account>;
  viewerAccounts: Account[];
  viewerRoles: Map<string, string>;
  members: Map<string, AccountMember[]>;
  primary: Map<string, User>;
  billing: Map<string, User[]>;
  roles: Map<string, ContactRole[]>;
  history: Map<string, ContactChange[]>;
}

function group<TRow>(rows: TRow[], keyOf: (row: TRow) => string): Map<string, TRow[]> {
  const grouped = new Map<string, TRow[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const list = grouped.get(key);
    if (list) list.push(row);
    else grouped.set(key, [row]);
  }
  return grouped;
}

async function loadData(databaseUrl: string, viewerEmail: string): Promise<Data> {
  const db = await Database.open({ databaseUrl });
  try {
    return await db.read(async (manager) => {
      const users = new Map((await manager.find(User)).map((user) => [user.id, user]));
      const viewer = [...users.values()].find((user) => user.email === viewerEmail);
      if (!viewer) throw new Error(`No user ${viewerEmail} in the database.`);
      const accountRows = await manager.find(Account, { order: { createdAt: "ASC", id: "ASC" } });
      const memberRows = await manager.find(AccountMember, { order: { accountId: "ASC", joinedAt: "ASC", userId: "ASC" } });
      const slotRows = (await manager.find(AccountContact)).sort(bySlotOrder);
      const historyRows = await manager.find(ContactChange, { order: { sequence: "DESC" } });
      const viewerRoles = new Map(memberRows.filter((row) => row.userId === viewer.id).map((row) => [row.accountId, row.role as string]));
      return {
        viewer,
        users,
        accounts: new Map(accountRows.map((account) => [account.id, account])),
        viewerAccounts: accountRows.filter((account) => viewerRoles.has(account.id)),
        viewerRoles,
        members: group(memberRows, (row) => row.accountId),
        primary: new Map(slotRows.filter((row) => row.slot === ContactSlot.PRIMARY).map((row) => [row.accountId, users.get(row.userId!)!])),
        billing: new Map(
          [
            ...group(
              slotRows.filter((row) => row.slot === ContactSlot.BILLING),
              (row) => row.accountId,
            ),
          ].map(([id, rows]) => [id, rows.map((row) => users.get(row.userId!)!)]),
        ),
        roles: new Map(
          [...group(slotRows, (row) => row.accountId)].map(([id, rows]) => [id, roleContactsOf(rows.map((contact) => ({ contact })))]),
        ),
        history: group(historyRows, (row) => row.accountId),
      };
    });
  } finally {
    await db.close();
  }
}

interface PageArgs {
  first?: number | null;
  after?: string | null;
}

/** Forward keyset paging over an in-memory list: the same cursors and page shape as the service. */
function pageOf<TRow>(
  rows: TRow[],
  args: PageArgs,
  defaultFirst: number,
  cursorOf: (row: TRow) => (string | number)[],
  shape: OrderColumn["kind"][],
) {
  const first = args.first ?? defaultFirst;
  let start = 0;
  if (args.after) {
    const cursor = JSON.stringify(decodeCursor(args.after, shape, "after"));
    start = rows.findIndex((row) => JSON.stringify(cursorOf(row)) === cursor) + 1;
  }
  const visible = rows.slice(start, start + first);
  const edges = visible.map((row) => ({ cursor: encodeCursor(cursorOf(row)), node: row }));
  return {
    edges,
    nodes: visible,
    pageInfo: {
      hasNextPage: start + first < rows.length,
      hasPreviousPage: args.after != null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount: rows.length,
  };
}

function resolvers(data: Data) {
  const user = (id: string | null) => (id ? (data.users.get(id) ?? null) : null);
  const member = (accountId: string, userId: string) => (data.members.get(accountId) ?? []).find((row) => row.userId === userId) ?? null;
  /** What `node` answers for a global id of the viewer's accounts, their members and contacts; null otherwise. */
  const node = (id: string): object | null => {
    const decoded = decodeGlobalId(id);
    if (!decoded) return null;
    const [first, second] = decoded.key as [string, string];
    const account = data.viewerRoles.has(first) ? data.accounts.get(first) : undefined;
    switch (decoded.type) {
      case "Account":
        return account ?? null;
      case "User":
        return user(first);
      case "AccountMember":
        return account ? member(first, second) : null;
      case "ContactRole":
        return account ? ((data.roles.get(first) ?? []).find((contact) => contact.role === second) ?? null) : null;
      default:
        return null;
    }
  };
  /** Lists the seed leaves empty (deliveries, invitations, membership history): an empty page of the same shape. */
  const emptyPage = (_: unknown, args: PageArgs) => pageOf([], args, 20, () => [0], ["number"]);
  return {
    DateTime: DateTimeResolver,
    // Rows are entity instances, so their class names are their GraphQL type names.
    Node: { __resolveType: (object: object) => object.constructor.name },
    ContactChangeActor: { __resolveType: (object: object) => (object instanceof User ? "User" : "ExternalContact") },
    Query: {
      viewer: () => data.viewer,
      accounts: (_: unknown, args: PageArgs) =>
        pageOf(data.viewerAccounts, args, 20, (account) => [account.createdAt.toISOString(), account.id], ["date", "uuid"]),
      account: (_: unknown, args: { id: string }) => data.accounts.get(decodeGlobalId(args.id)?.key[0] ?? ""),
      node: (_: unknown, args: { id: string }) => node(args.id),
      nodes: (_: unknown, args: { ids: string[] }) => args.ids.map(node),
    },
    Account: {
      id: (account: Account) => globalId("Account", account.id),
      primaryContact: (account: Account) => data.primary.get(account.id),
      billingContacts: (account: Account) => data.billing.get(account.id) ?? [],
      roleContacts: (account: Account) => data.roles.get(account.id) ?? [],
      roleContact: (account: Account, args: { role: ContactRoleKind }) =>
        (data.roles.get(account.id) ?? []).find((contact) => contact.role === args.role) ?? null,
      viewerRole: (account: Account) => data.viewerRoles.get(account.id),
      viewerCanAdminister: (account: Account) => mayAdminister(data.viewerRoles.get(account.id) as MemberRole | undefined),
      members: (account: Account, args: PageArgs) =>
        pageOf(data.members.get(account.id) ?? [], args, 50, (row) => [row.joinedAt.toISOString(), row.userId], ["date", "uuid"]),
      contactHistory: (account: Account, args: PageArgs) =>
        pageOf(data.history.get(account.id) ?? [], args, 20, (row) => [row.sequence], ["number"]),
      notificationDeliveries: emptyPage,
      invitations: emptyPage,
      memberHistory: emptyPage,
      notificationRecipients: (account: Account, args: { category: NotificationCategory }) => {
        const primary = data.primary.get(account.id)!;
        return routeNotification(args.category, [
          { slot: ContactSlot.PRIMARY, email: primary.email, user: primary },
          ...(data.billing.get(account.id) ?? []).map((billing) => ({ slot: ContactSlot.BILLING, email: billing.email, user: billing })),
          ...(data.roles.get(account.id) ?? []).map((role) => ({
            slot: slotOfRole(role.role),
            email: role.email,
            user: user(role.userId),
          })),
        ]);
      },
    },
    User: {
      id: (row: User) => globalId("User", row.id),
      contactSlots: (row: User, args: { accountId: string }) => {
        const accountId = decodeGlobalId(args.accountId)?.key[0] ?? "";
        const account = data.accounts.get(accountId);
        return [
          ...(account && data.primary.get(accountId)?.id === row.id ? [ContactSlot.PRIMARY] : []),
          ...((data.billing.get(accountId) ?? []).some((billing) => billing.id === row.id) ? [ContactSlot.BILLING] : []),
          ...(data.roles.get(accountId) ?? []).filter((role) => role.userId === row.id).map((role) => slotOfRole(role.role)),
        ];
      },
    },
    ContactRole: {
      id: (contact: ContactRole) => globalId("ContactRole", contact.accountId, contact.role),
      user: (contact: ContactRole) => user(contact.userId),
      isExternal: (contact: ContactRole) => contact.userId === null,
      updatedBy: (contact: ContactRole) => user(contact.updatedById),
      verification: () => null,
    },
    AccountMember: {
      id: (member: AccountMember) => globalId("AccountMember", member.accountId, member.userId),
      user: (member: AccountMember) => user(member.userId),
      displayName: (member: AccountMember) => user(member.userId)?.name ?? member.nameGivenByAdmin ?? null,
    },
    ContactChange: {
      id: (change: ContactChange) => globalId("ContactChange", change.sequence),
      actor: (change: ContactChange) => user(change.actorId),
      changedBy: (change: ContactChange) => (change.actorEmail !== null ? { email: change.actorEmail } : user(change.actorId)),
      previousUser: (change: ContactChange) => user(change.previousUserId),
      newUser: (change: ContactChange) => user(change.newUserId),
    },
  };
}

async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL;
  const viewerEmail = process.env.VIEWER_EMAIL;
  if (!databaseUrl || !viewerEmail) throw new Error("Set DATABASE_URL and VIEWER_EMAIL.");
  const data = await loadData(databaseUrl, viewerEmail);
  const typeDefs = fs.readFileSync(path.resolve(__dirname, "..", "..", "schema.graphql"), "utf8");

  const app = express();
  app.disable("x-powered-by");
  const httpServer = http.createServer(app);
  const apollo = new ApolloServer({
    typeDefs,
    resolvers: resolvers(data),
    introspection: false,
    includeStacktraceInErrorResponses: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginCacheControlDisabled(),
    ],
  });
  await apollo.start();
  app.use("/graphql", cors({ origin: false }), express.json({ limit: 100 * 1024 }), expressMiddleware(apollo));
  await new Promise<void>((resolve) => httpServer.listen(Number(process.env.PORT ?? 0), "127.0.0.1", resolve));
  const { port } = httpServer.address() as AddressInfo;
  console.log(`listening on http://127.0.0.1:${port}/graphql`);
  const stop = async () => {
    await apollo.stop();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop());
  process.on("SIGINT", () => void stop());
}

main().catch((error: unknown) => {
  console.error("Baseline server cannot start:", error);
  process.exit(1);
});
