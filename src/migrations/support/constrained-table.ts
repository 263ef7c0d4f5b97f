import type { QueryRunner } from "typeorm";

/**
 * Changes the named CHECK constraints of a table, on either driver: each name maps to its new
 * expression, or to null to drop it. Existing rows must satisfy the new checks, or the migration fails
 * and its transaction leaves the table as it was.
 *
 * PostgreSQL alters the constraint in place. SQLite cannot, so the table is rebuilt from its own
 * CREATE statement with the checks replaced. Rebuilding drops the old table, and dropping a table with
 * foreign keys on deletes every row that references it (`ON DELETE CASCADE`) — and foreign keys stay on
 * inside a transaction, which is where `migration:revert` runs. So every table that references the one
 * rebuilt (directly or through others) is kept aside first and put back after.
 */
export async function replaceChecks(
  queryRunner: QueryRunner,
  table: string,
  checks: Readonly<Record<string, string | null>>,
): Promise<void> {
  if (queryRunner.connection.options.type === "postgres") {
    for (const [name, expression] of Object.entries(checks)) {
      await queryRunner.query(`ALTER TABLE ${quoted(table)} DROP CONSTRAINT IF EXISTS ${quoted(name)}`);
      if (expression !== null) await queryRunner.query(`ALTER TABLE ${quoted(table)} ADD CONSTRAINT ${quoted(name)} CHECK (${expression})`);
    }
    return;
  }
  let definition = await tableDefinition(queryRunner, table);
  for (const [name, expression] of Object.entries(checks)) definition = withCheck(definition, name, expression);
  await rebuildTable(queryRunner, table, definition);
}

/** A SQLite table's CREATE TABLE statement, as the database keeps it. */
export async function tableDefinition(queryRunner: QueryRunner, table: string): Promise<string> {
  const [created] = (await queryRunner.query(`SELECT "sql" FROM "sqlite_master" WHERE "type" = 'table' AND "name" = ?`, [table])) as {
    sql: string;
  }[];
  if (!created) throw new Error(`No table ${table} to change.`);
  return created.sql;
}

/**
 * Rebuilds a SQLite table from a new CREATE TABLE statement (named as the table), filled by `fill`: a
 * SELECT over the old table (`SELECT *` unless given) giving the new table's columns in order. Indexes
 * and triggers of the old table are made again, so they must still name existing columns.
 */
export async function rebuildTable(
  queryRunner: QueryRunner,
  table: string,
  definition: string,
  fill = `SELECT * FROM ${quoted(table)}`,
): Promise<void> {
  const rebuilt = `${table}__rebuilt`;
  const opening = /^CREATE TABLE\s+("[^"]+"|\S+)\s*\(/i;
  if (!opening.test(definition)) throw new Error(`Cannot read the definition of ${table}.`);
  definition = definition.replace(opening, `CREATE TABLE ${quoted(rebuilt)} (`);

  const extras = (await queryRunner.query(
    `SELECT "sql" FROM "sqlite_master" WHERE "tbl_name" = ? AND "type" IN ('index', 'trigger') AND "sql" IS NOT NULL`,
    [table],
  )) as { sql: string }[];
  const dependants = await referencingTables(queryRunner, table);
  for (const dependant of dependants) {
    await queryRunner.query(`CREATE TEMP TABLE ${quoted(keptName(dependant))} AS SELECT * FROM ${quoted(dependant)}`);
  }
  // Emptied from the furthest first, so no delete reaches a row through a key and nothing refuses the drop.
  for (const dependant of [...dependants].reverse()) await queryRunner.query(`DELETE FROM ${quoted(dependant)}`);

  await queryRunner.query(definition);
  await queryRunner.query(`INSERT INTO ${quoted(rebuilt)} ${fill}`);
  await queryRunner.query(`DROP TABLE ${quoted(table)}`);
  await queryRunner.query(`ALTER TABLE ${quoted(rebuilt)} RENAME TO ${quoted(table)}`);
  for (const extra of extras) await queryRunner.query(extra.sql);

  for (const dependant of dependants) {
    await queryRunner.query(`INSERT INTO ${quoted(dependant)} SELECT * FROM temp.${quoted(keptName(dependant))}`);
    await queryRunner.query(`DROP TABLE temp.${quoted(keptName(dependant))}`);
  }
  const broken = (await queryRunner.query(`PRAGMA foreign_key_check`)) as unknown[];
  if (broken.length > 0) throw new Error(`Rebuilding ${table} left ${broken.length} rows with broken references.`);
}

/** A role as the database knows it: its name, and whether an outside address (no member) may hold it. */
export interface StoredContactRole {
  readonly name: string;
  readonly outsideAddress: boolean;
}

/**
 * Makes `contact_slots` accept exactly these roles (besides PRIMARY and BILLING). Rows the new list
 * cannot hold (a role that is gone, an outside address on a role that no longer allows one) are deleted
 * first, with their verifications and their history, since the code of that list could not read them.
 */
export async function setContactRoles(queryRunner: QueryRunner, roles: readonly StoredContactRole[]): Promise<void> {
  const names = roles.map((role) => role.name);
  const outside = roles.filter((role) => role.outsideAddress).map((role) => role.name);
  const known = names.map(literal).join(", ");
  const slots = `'PRIMARY', 'BILLING', ${known}`;
  const allowsOutside = outside.length === 0 ? "FALSE" : `"slot" IN (${outside.map(literal).join(", ")})`;
  await queryRunner.query(`DELETE FROM "contact_slots" WHERE NOT ("slot" IN (${slots})) OR ("userId" IS NULL AND NOT (${allowsOutside}))`);
  await queryRunner.query(`DELETE FROM "contact_verifications" WHERE NOT EXISTS
    (SELECT 1 FROM "contact_slots" "s" WHERE "s"."accountId" = "contact_verifications"."accountId" AND "s"."slot" = "contact_verifications"."role" AND "s"."userId" IS NULL)`);
  await queryRunner.query(`DELETE FROM "contact_changes" WHERE "slot" NOT IN (${slots})`);
  await replaceChecks(queryRunner, "contact_slots", {
    CHK_contact_slots_slot: `"slot" IN (${slots})`,
    CHK_contact_slots_outside_address: `"userId" IS NOT NULL OR ${allowsOutside}`,
  });
}

/** The definition with the named CHECK replaced, added (at the end) or removed. */
export function withCheck(definition: string, name: string, expression: string | null): string {
  const start = new RegExp(`CONSTRAINT\\s+"${name}"\\s+CHECK\\s*\\(`, "i").exec(definition);
  const replacement = expression === null ? "" : `CONSTRAINT "${name}" CHECK (${expression})`;
  if (!start) {
    if (expression === null) return definition;
    const close = definition.lastIndexOf(")");
    return `${definition.slice(0, close).trimEnd()},\n  ${replacement}\n${definition.slice(close)}`;
  }
  const end = closingParenthesis(definition, start.index + start[0].length - 1) + 1;
  if (expression !== null) return definition.slice(0, start.index) + replacement + definition.slice(end);
  // Removing: take the comma before the constraint with it.
  const before = definition.slice(0, start.index).replace(/,\s*$/, "");
  return before + definition.slice(end);
}

/** The index of the parenthesis closing the one at `open`, skipping quoted text. */
function closingParenthesis(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === "'" || c === '"') {
      i = text.indexOf(c, i + 1);
      if (i < 0) break;
    } else if (c === "(") depth++;
    else if (c === ")" && --depth === 0) return i;
  }
  throw new Error("Unbalanced parentheses in a table definition.");
}

/** Every table that references `table` through a foreign key, directly or through another, nearest first. */
async function referencingTables(queryRunner: QueryRunner, table: string): Promise<string[]> {
  const tables = (
    (await queryRunner.query(`SELECT "name" FROM "sqlite_master" WHERE "type" = 'table' AND "name" NOT LIKE 'sqlite_%'`)) as {
      name: string;
    }[]
  ).map((row) => row.name);
  const references = new Map<string, string[]>();
  for (const name of tables) {
    const keys = (await queryRunner.query(`SELECT "table" FROM pragma_foreign_key_list(?)`, [name])) as { table: string }[];
    references.set(name, [...new Set(keys.map((key) => key.table))]);
  }
  const found: string[] = [];
  const queue = [table];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const [name, parents] of references) {
      if (name !== table && !found.includes(name) && parents.includes(parent)) {
        found.push(name);
        queue.push(name);
      }
    }
  }
  return found;
}

function keptName(table: string): string {
  return `${table}__kept`;
}

function quoted(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
