import { ArgsType, Extensions, Field, Int, ObjectType, type ClassType } from "type-graphql";
import { badInput } from "../errors";
import { dateParameter, empty, join, raw, sql, type Row, type Sql, type StatementReader } from "./sql";
import { groupBy } from "./group-by";

@ObjectType({ description: "Where a page starts and ends, and whether more items lie beyond it either way (Relay's PageInfo)." })
export class PageInfo {
  @Field(() => Boolean, { description: "True when more items follow this page: pass `endCursor` as `after` to get them." })
  hasNextPage: boolean;

  @Field(() => Boolean, { description: "True when items come before this page: pass `startCursor` as `before` (with `last`) to get them." })
  hasPreviousPage: boolean;

  @Field(() => String, { nullable: true, description: "The cursor of the first item on this page, or null for an empty page." })
  startCursor: string | null;

  @Field(() => String, { nullable: true, description: "The cursor of the last item on this page, or null for an empty page." })
  endCursor: string | null;
}

export interface Edge<TNode> {
  cursor: string;
  node: TNode;
}

export interface Page<TNode> {
  edges: Edge<TNode>[];
  nodes: TNode[];
  pageInfo: PageInfo;
  totalCount: number;
}

/** A Relay connection type named after its node: `AccountConnection` with `AccountEdge`s, and so on. */
export function ConnectionType<TNode extends object>(nodeClass: ClassType<TNode>, nodeName: string, plural: string) {
  @ObjectType(`${nodeName}Edge`, { description: `One ${nodeName} in a page, with the cursor that points at it.` })
  class EdgeClass implements Edge<TNode> {
    @Field(() => String, { description: "Opaque position of this item: pass it as `after` or `before` to page from it." })
    cursor: string;

    @Field(() => nodeClass, { description: `The ${nodeName}.` })
    node: TNode;
  }

  // Registered under its own name so subclasses inherit its fields; only the subclasses are referenced, so only they are emitted.
  @ObjectType(`${nodeName}ConnectionFields`)
  abstract class ConnectionClass implements Page<TNode> {
    @Field(() => [EdgeClass], { description: `The ${plural} on this page, in order, each with its cursor.` })
    edges: EdgeClass[];

    @Field(() => [nodeClass], { description: `The ${plural} on this page, in order: the edges' nodes, for clients that need no cursors.` })
    nodes: TNode[];

    @Field(() => PageInfo, { description: "Where the page starts and ends, and whether more items lie beyond it." })
    pageInfo: PageInfo;

    @Field(() => Int, { description: `How many ${plural} there are in all, across every page.` })
    totalCount: number;
  }
  return ConnectionClass;
}

/** The page of a connection the client asks for: `first`/`after` forwards, or `last`/`before` backwards (Relay). */
@ArgsType()
export class ConnectionArgs {
  @Field(() => Int, {
    nullable: true,
    description:
      "How many items to return from the start (or from `after`), 1 to 100. Without `first` or `last`, the field's default page size.",
  })
  first?: number | null;

  @Field(() => String, { nullable: true, description: "Return the items after this cursor (a previous page's `endCursor`)." })
  after?: string | null;

  @Field(() => Int, {
    nullable: true,
    description: "How many items to return from the end (or from `before`), 1 to 100. Not together with `first`.",
  })
  last?: number | null;

  @Field(() => String, { nullable: true, description: "Return the items before this cursor (a page's `startCursor`)." })
  before?: string | null;
}

/** Marks a connection field with the page size it uses when neither `first` nor `last` is given (the cost limit reads it too). */
export function DefaultPageSize(size: number) {
  return Extensions({ defaultPageSize: size });
}

/**
 * Marks a list field that is not paged with the most items it can hold, a rule of the domain (at most
 * 3 billing contacts, one contact per role). The cost limit counts the list at that size, and
 * test/second-order-limits.test.ts refuses a list of objects that has neither this nor `first`.
 */
export function MaxItems(max: number) {
  return Extensions({ maxItems: max });
}

export type CursorKey = (string | number)[];

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify(key), "utf8").toString("base64url");
}

/** Every number in a cursor is a row id: a positive integer that fits the 32-bit column it is compared with. */
function isRowId(value: unknown): boolean {
  return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 2_147_483_647;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A timestamp exactly as encodeCursor writes one (toISOString), in years 1..9999, which PostgreSQL can compare. */
function isIssuedTimestamp(value: unknown): boolean {
  if (typeof value !== "string" || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(value)) return false;
  const date = new Date(value);
  return !Number.isNaN(date.getTime()) && date.toISOString() === value && date.getUTCFullYear() >= 1;
}

/** What each kind of column may hold in a cursor: only values this service writes there. */
const CURSOR_VALUE: Record<OrderColumn["kind"], (value: unknown) => boolean> = {
  number: isRowId,
  uuid: (value) => typeof value === "string" && UUID.test(value),
  date: isIssuedTimestamp,
};

const invalidCursor = (field: string) => badInput("BAD_USER_INPUT.invalidCursor", { field }, field);

/**
 * Reads a cursor back; anything this service did not issue for a list of this shape is BAD_USER_INPUT
 * on `field`. Each part is checked strictly (a NUL byte, say, never reaches the database).
 */
export function decodeCursor(cursor: string, shape: readonly OrderColumn["kind"][], field: string): CursorKey {
  if (cursor.length > 512 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalidCursor(field);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw invalidCursor(field);
  }
  if (!Array.isArray(parsed) || parsed.length !== shape.length) throw invalidCursor(field);
  shape.forEach((kind, index) => {
    if (!CURSOR_VALUE[kind](parsed[index])) throw invalidCursor(field);
  });
  // base64url has more than one spelling of some byte strings; only the one issued here is a cursor.
  if (encodeCursor(parsed as CursorKey) !== cursor) throw invalidCursor(field);
  return parsed as CursorKey;
}

/** One column of a list's order: its name, its direction, and how its value travels in a cursor. */
export interface OrderColumn {
  column: string;
  descending?: boolean;
  /** A row id, a UUID, or a timestamp (carried as its ISO string). */
  kind: "number" | "uuid" | "date";
}

/** A list read by keyset pagination: a fixed order of columns whose values identify each row. */
export interface Keyset<TRow> {
  order: OrderColumn[];
  keyOf(row: TRow): (string | number | Date)[];
}

/** A page request, validated and with its cursors decoded: how many rows, which way, between which keys. */
export interface PageWindow {
  size: number;
  backward: boolean;
  after: unknown[] | null;
  before: unknown[] | null;
}

const MAX_PAGE = 100;

/** Checks `first`/`last` (1..100, not both) and decodes the cursors for `keyset`; `defaultSize` rows forwards when neither is given. */
export function pageWindow(
  request: ConnectionArgs,
  defaultSize: number,
  keyset: Keyset<unknown>,
  toParameter: (date: Date) => unknown,
): PageWindow {
  const { first, last } = request;
  if (first != null && last != null) throw badInput("BAD_USER_INPUT.firstAndLast", {}, "first");
  for (const [name, value] of [
    ["first", first],
    ["last", last],
  ] as const) {
    if (value != null && (!Number.isInteger(value) || value < 1 || value > MAX_PAGE))
      throw badInput("BAD_USER_INPUT.pageSize", { field: name, max: MAX_PAGE }, name);
  }
  const decode = (cursor: string | null | undefined, field: string) => {
    if (cursor == null) return null;
    const values = decodeCursor(
      cursor,
      keyset.order.map((column) => column.kind),
      field,
    );
    return values.map((value, index) => (keyset.order[index]!.kind === "date" ? toParameter(new Date(value)) : value));
  };
  return {
    size: last ?? first ?? defaultSize,
    backward: last != null,
    after: decode(request.after, "after"),
    before: decode(request.before, "before"),
  };
}

/**
 * The SQL that limits a list to the rows strictly after (or before) a cursor's key in the list's order:
 * `(a > ? OR (a = ? AND b > ?))` for two ascending columns.
 */
function seek(order: OrderColumn[], key: unknown[], side: "after" | "before", prefix: string): Sql {
  const alternatives = order.map((column, index) => {
    const later = column.descending ? side === "before" : side === "after";
    const equal = order.slice(0, index).map((previous, position) => sql`${raw(`${prefix}"${previous.column}"`)} = ${key[position]}`);
    return sql`(${join([...equal, sql`${raw(`${prefix}"${column.column}" ${later ? ">" : "<"}`)} ${key[index]}`], " AND ")})`;
  });
  return sql`(${join(alternatives, " OR ")})`;
}

/**
 * The conditions a page window puts on the list's rows, and the order to read them in (reversed for
 * `last`); `prefix` qualifies the columns (`"a".`, or nothing).
 */
export function keysetClauses(keyset: Keyset<unknown>, window: PageWindow, prefix: string): { where: Sql[]; orderBy: Sql } {
  const where: Sql[] = [];
  for (const side of ["after", "before"] as const) {
    const key = window[side];
    if (key) where.push(seek(keyset.order, key, side, prefix));
  }
  const orderBy = raw(
    keyset.order
      .map((column) => `${prefix}"${column.column}" ${(column.descending ?? false) !== window.backward ? "DESC" : "ASC"}`)
      .join(", "),
  );
  return { where, orderBy };
}

/**
 * Turns up to `size + 1` rows read in the window's direction into a Relay page: the extra row only
 * says that more follow. Going forwards, a page after a cursor has items before it, and going backwards
 * a page before a cursor has items after it.
 */
export function keysetPage<TRow>(rows: TRow[], window: PageWindow, totalCount: number, keyset: Keyset<TRow>): Page<TRow> {
  const more = rows.length > window.size;
  const visible = rows.slice(0, window.size);
  if (window.backward) visible.reverse();
  const edges = visible.map((row) => ({
    cursor: encodeCursor(keyset.keyOf(row).map((value) => (value instanceof Date ? value.toISOString() : value))),
    node: row,
  }));
  return {
    edges,
    nodes: edges.map((edge) => edge.node),
    pageInfo: {
      hasNextPage: window.backward ? window.before !== null : more,
      hasPreviousPage: window.backward ? more : window.after !== null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount,
  };
}

/** A list of rows read a page at a time: `SELECT select FROM from WHERE where…`, and how to count them all. */
export interface ListQuery<TRow> {
  /** The alias of the table the keyset's columns belong to. */
  alias: string;
  select: Sql;
  from: Sql;
  where: Sql[];
  /** The statement that counts every row of the list (as `total`), whatever the page. */
  count: Sql;
  hydrate(row: Row): TRow;
}

const conditions = (where: Sql[]) => (where.length ? sql` WHERE ${join(where, " AND ")}` : empty);

/** One page of `list`, as `args` asks for it, in two statements: the page and the count. */
export async function readPage<TRow>(
  reader: StatementReader,
  list: ListQuery<TRow>,
  keyset: Keyset<TRow>,
  args: ConnectionArgs,
  defaultSize: number,
): Promise<Page<TRow>> {
  const window = pageWindow(args, defaultSize, keyset as Keyset<unknown>, (date) => dateParameter(reader, date));
  const clauses = keysetClauses(keyset as Keyset<unknown>, window, `"${list.alias}".`);
  const page = sql`SELECT ${list.select} FROM ${list.from}${conditions([...list.where, ...clauses.where])} ORDER BY ${clauses.orderBy} LIMIT ${window.size + 1}`;
  const [rows, [count]] = await Promise.all([reader.select(page), reader.select(list.count)]);
  return keysetPage(
    rows.map((row) => list.hydrate(row)),
    window,
    Number(count!.total),
    keyset,
  );
}

/** A list each account has its own of (members, history): its table, the columns to read, and any join completing a row. */
export interface AccountListQuery<TRow extends object> {
  table: string;
  /** The column the lists are kept apart by, and its value in a row; `accountId` unless given (a webhook endpoint's deliveries). */
  owner?: { column: string; of(row: TRow): string | number };
  alias: string;
  select: Sql;
  join: Sql;
  hydrate(row: Row): TRow;
  /** Only the rows whose integer `column` is above a value (history since a version); a null never is. */
  where?: { column: string; above: number }[];
}

/**
 * One page of a list for each of several accounts, in two statements whatever their number: the
 * pages, and the counts. Several accounts share one statement by ranking each account's rows in a
 * window; one account reads its page with a plain LIMIT, which stops early however long its list is.
 */
export async function readAccountPages<TRow extends object, TOwner extends string | number = string>(
  reader: StatementReader,
  accountIds: TOwner[],
  list: AccountListQuery<TRow>,
  keyset: Keyset<TRow>,
  args: ConnectionArgs,
  defaultSize: number,
): Promise<Page<TRow>[]> {
  const window = pageWindow(args, defaultSize, keyset as Keyset<unknown>, (date) => dateParameter(reader, date));
  const table = raw(`"${list.table}"`);
  const alias = raw(`"${list.alias}"`);
  const ownerColumn = list.owner?.column ?? "accountId";
  const owner = raw(`"${ownerColumn}"`);
  const ownerOf = list.owner?.of ?? ((row: TRow) => (row as unknown as { accountId: string }).accountId);
  const and = (where: Sql[]) =>
    where.length
      ? join(
          where.map((condition) => sql` AND ${condition}`),
          "",
        )
      : empty;
  const filters = (prefix: string) => (list.where ?? []).map((filter) => sql`${raw(`${prefix}"${filter.column}"`)} > ${filter.above}`);
  let page: Sql;
  if (accountIds.length === 1) {
    const clauses = keysetClauses(keyset as Keyset<unknown>, window, `"${list.alias}".`);
    page = sql`SELECT ${list.select} FROM ${table} ${alias} ${list.join} WHERE ${alias}.${owner} = ${accountIds[0]}${and([...filters(`"${list.alias}".`), ...clauses.where])} ORDER BY ${clauses.orderBy} LIMIT ${window.size + 1}`;
  } else {
    const clauses = keysetClauses(keyset as Keyset<unknown>, window, "");
    page = sql`SELECT ${list.select} FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY ${owner} ORDER BY ${clauses.orderBy}) AS "rank"
             FROM ${table} WHERE ${owner} IN (${join(accountIds)})${and([...filters(""), ...clauses.where])}) ${alias}
           ${list.join} WHERE ${alias}."rank" <= ${window.size + 1} ORDER BY ${alias}."rank"`;
  }
  const [rows, counts] = await Promise.all([
    reader.select(page),
    reader.select(
      sql`SELECT ${owner} AS "owner", COUNT(*) AS "total" FROM ${table} WHERE ${owner} IN (${join(accountIds)})${and(filters(""))} GROUP BY ${owner}`,
    ),
  ]);
  const totals = new Map(counts.map((row) => [String(row.owner), Number(row.total)]));
  const byAccount = groupBy(
    rows.map((row) => list.hydrate(row)),
    (row) => String(ownerOf(row)),
  );
  return accountIds.map((accountId) =>
    keysetPage(byAccount.get(String(accountId)) ?? [], window, totals.get(String(accountId)) ?? 0, keyset),
  );
}
