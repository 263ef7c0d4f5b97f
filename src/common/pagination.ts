import { ArgsType, Field, Int, ObjectType, type ClassType } from "type-graphql";
import { IsOptional, Max, Min } from "class-validator";
import { badInput } from "../errors";

@ObjectType({ description: "Where a page ends and whether another follows." })
export class PageInfo {
  @Field(() => Boolean, { description: "True when more items follow this page: pass `endCursor` as `after` to get them." })
  hasNextPage: boolean;

  @Field(() => String, { nullable: true, description: "The cursor of the last item on this page, or null for an empty page." })
  endCursor: string | null;
}

export interface Edge<TNode> {
  cursor: string;
  node: TNode;
}

export interface Page<TNode> {
  edges: Edge<TNode>[];
  pageInfo: PageInfo;
  totalCount: number;
}

/** A Relay connection type named after its node: `AccountConnection` with `AccountEdge`s, and so on. */
export function ConnectionType<TNode extends object>(nodeClass: ClassType<TNode>, nodeName: string, plural: string) {
  @ObjectType(`${nodeName}Edge`, { description: `One ${nodeName} in a page, with the cursor that points at it.` })
  class EdgeClass implements Edge<TNode> {
    @Field(() => String, { description: "Opaque position of this item: pass it as `after` to continue after it." })
    cursor: string;

    @Field(() => nodeClass, { description: `The ${nodeName}.` })
    node: TNode;
  }

  // Registered under its own name so subclasses inherit its fields; only the subclasses are referenced, so only they are emitted.
  @ObjectType(`${nodeName}ConnectionFields`)
  abstract class ConnectionClass implements Page<TNode> {
    @Field(() => [EdgeClass], { description: `The ${plural} on this page, in order.` })
    edges: EdgeClass[];

    @Field(() => PageInfo, { description: "Whether more items follow, and the cursor to ask for them." })
    pageInfo: PageInfo;

    @Field(() => Int, { description: `How many ${plural} there are in all, across every page.` })
    totalCount: number;
  }
  return ConnectionClass;
}

/** `first` and `after`, validated the same way on every connection field. */
export function PageArgsType(defaultFirst: number) {
  @ArgsType()
  class PageArgsClass {
    @Field(() => Int, { nullable: true, defaultValue: defaultFirst, description: "How many items to return, from 1 to 100." })
    @IsOptional()
    @Min(1, { message: "first must be between 1 and 100" })
    @Max(100, { message: "first must be between 1 and 100" })
    first?: number | null;

    @Field(() => String, { nullable: true, description: "Return the items after this cursor (a previous page's `endCursor`)." })
    after?: string | null;

    /** `first`, or the default when the client sent null. */
    get pageSize(): number {
      return this.first ?? defaultFirst;
    }
  }
  return PageArgsClass;
}

export type CursorKey = (string | number)[];

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify(key), "utf8").toString("base64url");
}

/** Every number in a cursor is a row id: a positive integer that fits the 32-bit column it is compared with. */
function isRowId(value: unknown): boolean {
  return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 2_147_483_647;
}

/** Reads a cursor back; anything this service did not issue for this list is BAD_USER_INPUT. */
export function decodeCursor(cursor: string, shape: readonly ("string" | "number")[]): CursorKey {
  const refuse = () => badInput("The cursor is not valid for this list. Start again without `after`.", "after");
  if (cursor.length > 512 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw refuse();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw refuse();
  }
  if (!Array.isArray(parsed) || parsed.length !== shape.length) throw refuse();
  shape.forEach((type, index) => {
    if (typeof parsed[index] !== type || (type === "number" && !isRowId(parsed[index]))) throw refuse();
  });
  return parsed as CursorKey;
}

/** Turns `first + 1` fetched rows into a page: the extra row only says that another page follows. */
export function toPage<TRow, TNode>(
  rows: TRow[],
  first: number,
  totalCount: number,
  cursorOf: (row: TRow) => CursorKey,
  nodeOf: (row: TRow) => TNode,
): Page<TNode> {
  const visible = rows.slice(0, first);
  const edges = visible.map((row) => ({ cursor: encodeCursor(cursorOf(row)), node: nodeOf(row) }));
  return {
    edges,
    pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount,
  };
}

/** A timestamp read back from a cursor. */
export function cursorDate(value: string | number): Date {
  const date = new Date(String(value));
  // Outside years 1..9999 it was never issued here, and PostgreSQL cannot even compare it.
  const year = date.getUTCFullYear();
  if (Number.isNaN(date.getTime()) || year < 1 || year > 9999) throw badInput("The cursor is not valid for this list. Start again without `after`.", "after");
  return date;
}
