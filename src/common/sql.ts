import { EntityManager, type DataSource, type EntityTarget, type ObjectLiteral } from "typeorm";
import type { ColumnMetadata } from "typeorm/metadata/ColumnMetadata";
import type { EntityMetadata } from "typeorm/metadata/EntityMetadata";
import { DateUtils } from "typeorm/util/DateUtils";
import sqlite3 from "sqlite3";
import sql, { empty, join, raw, Sql } from "sql-template-tag";
import pg from "pg";

/*
 * Plain SQL for the statements every request makes, many times a second. TypeORM's query builder spends
 * several times as long building and parsing a statement as SQLite spends running it, so the queries
 * write their SQL once with the `sql` tag and turn rows into entities here, converting each value with
 * the driver's own `prepareHydratedValue`: the entities come out exactly as `find` would make them.
 *
 * `sql\`… WHERE "id" = ${id}\`` keeps every interpolated value out of the text: it is sent as a
 * parameter, numbered `$1, $2, …` for PostgreSQL and `?` for SQLite from the template's own parts, so
 * a `?` inside the SQL (a string literal, a jsonb operator) is never taken for a parameter. Nested
 * `sql` fragments, `join([...])` for lists and `raw(...)` for trusted text (column lists) compose.
 */
export { sql, empty, join, raw, Sql };

export type Row = Record<string, unknown>;

/** What runs a read outside any transaction: the Database (on SQLite files, through statements it keeps prepared). */
export interface StatementReader {
  readonly dataSource: DataSource;
  select(statement: Sql): Promise<Row[]>;
  /** Like `select`, for a large statement run again and again: on PostgreSQL, parsed and planned once per connection. */
  selectPrepared(statement: Sql): Promise<Row[]>;
}

/** Where a query runs: the Database for a read, or an open transaction's EntityManager for the reads and writes of a change. */
export type SqlSource = StatementReader | EntityManager;

export function dataSourceOf(source: SqlSource): DataSource {
  return source instanceof EntityManager ? source.connection : source.dataSource;
}

/** The statement's text with the driver's parameter markers. */
export function statementText(dataSource: DataSource, statement: Sql): string {
  return dataSource.options.type === "postgres" ? statement.text : statement.sql;
}

/** The SQLite writer's statements, kept prepared, by the writer's data source (see `keepWriterStatements`). */
const writerStatements = new WeakMap<DataSource, PreparedStatements>();

/** Runs the `sql`-tag statements of transactions on this SQLite data source through statements kept prepared. */
export function keepWriterStatements(dataSource: DataSource, statements: PreparedStatements): void {
  writerStatements.set(dataSource, statements);
}

/** Runs a statement and gives its rows. */
export function selectRows(source: SqlSource, statement: Sql): Promise<Row[]> {
  if (source instanceof EntityManager) {
    const prepared = writerStatements.get(source.connection);
    return prepared ? prepared.all(statement) : source.query(statementText(source.connection, statement), statement.values);
  }
  return source.select(statement);
}

/** Runs an INSERT, UPDATE or DELETE inside a transaction. */
export async function changeRows(manager: EntityManager, statement: Sql): Promise<void> {
  await selectRows(manager, statement);
}

interface Column {
  property: string;
  key: string;
  metadata: ColumnMetadata;
  /** Dates, booleans and transformed columns need the driver's conversion; text and numbers come back as they are. */
  converted: boolean;
}

function needsConversion(column: ColumnMetadata): boolean {
  const type = column.type;
  return (
    type === Date || type === Boolean || column.transformer !== undefined || (typeof type === "string" && /date|time|bool|json/i.test(type))
  );
}

/** JSON built inside a statement, in the functions of the driver's database: PostgreSQL's json_*, or SQLite's. */
export class JsonSql {
  constructor(private readonly postgres: boolean) {}

  /** An object of `pairs` (`'key', value, …`). */
  object(pairs: Sql): Sql {
    return this.postgres ? sql`json_build_object(${pairs})` : sql`json_object(${pairs})`;
  }

  /** The list of `item` over the rows of the enclosing query, in `orderBy` order when given; [] for no rows. */
  list(item: Sql, orderBy: Sql | null = null): Sql {
    const order = orderBy ? sql` ORDER BY ${orderBy}` : empty;
    return this.postgres ? sql`COALESCE(json_agg(${item}${order}), '[]'::json)` : sql`json_group_array(${item}${order})`;
  }

  /** A scalar subquery giving JSON, nested in an object: SQLite forgets a subquery's value is JSON unless told. */
  subquery(query: Sql): Sql {
    return this.postgres ? sql`(${query})` : sql`json((${query}))`;
  }

  /** A column of a subquery holding JSON: SQLite forgets it is JSON once it leaves the subquery. */
  column(reference: Sql): Sql {
    return this.postgres ? reference : sql`json(${reference})`;
  }

  /** A JSON column as the driver hands it over, as values: node-postgres parses json itself, sqlite3 gives text. */
  read(value: unknown): unknown {
    return typeof value === "string" && !this.postgres ? JSON.parse(value) : value;
  }
}

/** JSON functions for the database `source` reads. */
export function jsonSql(source: SqlSource): JsonSql {
  return new JsonSql(dataSourceOf(source).options.type === "postgres");
}

/** A value built as JSON inside a larger statement (a subquery), and how to read it back. */
export interface JsonPart<TValue> {
  select: Sql;
  read(value: unknown): TValue;
}

/** PostgreSQL's types whose JSON form differs from what node-postgres makes of the column: their type ids. */
const POSTGRES_TEXT_TYPES: Record<string, number> = {
  "timestamp without time zone": 1114,
  "timestamp with time zone": 1184,
  date: 1082,
};

/** One entity's columns under one table alias: the select list, and rows back into entities. */
export class EntityColumns<TEntity extends ObjectLiteral> {
  /** `"alias"."column" AS "alias_column", …` */
  readonly select: Sql;
  private readonly columns: Column[];
  private readonly primary: Column[];

  constructor(
    private readonly dataSource: DataSource,
    private readonly metadata: EntityMetadata,
    readonly alias: string,
  ) {
    this.columns = metadata.columns.map((column) => ({
      property: column.propertyName,
      key: `${alias}_${column.databaseName}`,
      metadata: column,
      converted: needsConversion(column),
    }));
    this.primary = this.columns.filter((column) => column.metadata.isPrimary);
    this.select = raw(
      metadata.columns.map((column) => `"${alias}"."${column.databaseName}" AS "${alias}_${column.databaseName}"`).join(", "),
    );
  }

  /**
   * The columns as the pairs of a JSON object (`JsonSql.object`), keyed as `select` names them;
   * `fromJson` reads such an object back. Timestamps travel as text, to be read as node-postgres reads the column.
   */
  get jsonFields(): Sql {
    this.json ??= raw(
      this.columns
        .map(
          (column) =>
            `'${column.key}', "${this.alias}"."${column.metadata.databaseName}"${this.textColumns.some((text) => text.key === column.key) ? "::text" : ""}`,
        )
        .join(", "),
    );
    return this.json;
  }

  /** The entity in an object built from `jsonFields`, or null when there is none (a left join found none). */
  fromJson(object: Row | null): TEntity | null {
    if (!object) return null;
    // The object was parsed for this read alone: its timestamps are replaced in place.
    for (const { key, type } of this.textColumns) {
      const value = object[key];
      if (typeof value === "string") object[key] = pg.types.getTypeParser(POSTGRES_TEXT_TYPES[type]!, "text")(value);
    }
    return this.from(object);
  }

  /** The columns a JSON object carries as text (timestamps on PostgreSQL), with their normalised type. */
  private get textColumns(): { key: string; type: string }[] {
    this.texts ??= this.columns.flatMap((column) => {
      const type = this.dataSource.driver.normalizeType(column.metadata);
      return type in POSTGRES_TEXT_TYPES ? [{ key: column.key, type }] : [];
    });
    return this.texts;
  }

  private texts: { key: string; type: string }[] | undefined;

  private json: Sql | undefined;

  /** The entity in `row`, or null when a left join found none. */
  from(row: Row): TEntity | null {
    if (this.primary.every((column) => row[column.key] == null)) return null;
    const driver = this.dataSource.driver;
    const entity = this.metadata.create() as Record<string, unknown>;
    for (const column of this.columns) {
      const value = row[column.key];
      entity[column.property] = column.converted ? driver.prepareHydratedValue(value, column.metadata) : value;
    }
    return entity as TEntity;
  }

  /** The entity in `row`, which an inner join guarantees. */
  of(row: Row): TEntity {
    const entity = this.from(row);
    if (!entity) throw new Error(`The row has no ${this.metadata.name} under "${this.alias}".`);
    return entity;
  }
}

/** Column lists by entity metadata, so they live and go with the data source whose metadata it is. */
const columnSets = new WeakMap<EntityMetadata, Map<string, EntityColumns<ObjectLiteral>>>();

/** The columns of `entity` under `alias`, made once per data source. */
export function entityColumns<TEntity extends ObjectLiteral>(
  source: SqlSource,
  entity: EntityTarget<TEntity>,
  alias: string,
): EntityColumns<TEntity> {
  const dataSource = dataSourceOf(source);
  const metadata = dataSource.getMetadata(entity);
  let sets = columnSets.get(metadata);
  if (!sets) columnSets.set(metadata, (sets = new Map()));
  let columns = sets.get(alias);
  if (!columns) sets.set(alias, (columns = new EntityColumns(dataSource, metadata, alias) as EntityColumns<ObjectLiteral>));
  return columns as EntityColumns<TEntity>;
}

/** The rows of `entity`'s table, under `alias`, that `where` picks (it may go on with ORDER BY and LIMIT), as entities. */
export async function selectEntities<TEntity extends ObjectLiteral>(
  source: SqlSource,
  entity: EntityTarget<TEntity>,
  alias: string,
  where: Sql,
): Promise<TEntity[]> {
  const columns = entityColumns(source, entity, alias);
  const table = dataSourceOf(source).getMetadata(entity).tableName;
  const rows = await selectRows(source, sql`SELECT ${columns.select} FROM ${raw(`"${table}" "${alias}"`)} WHERE ${where}`);
  return rows.map((row) => columns.of(row));
}

/** `value` as the driver stores it in `entity`'s column for `property` (SQLite keeps dates as UTC text). */
export function storedValue<TEntity extends ObjectLiteral>(
  source: SqlSource,
  entity: EntityTarget<TEntity>,
  property: keyof TEntity & string,
  value: unknown,
): unknown {
  const dataSource = dataSourceOf(source);
  const column = dataSource.getMetadata(entity).findColumnWithPropertyName(property);
  if (!column) throw new Error(`No column for ${property}.`);
  return dataSource.driver.preparePersistentValue(value, column);
}

/** A date as a parameter compared with a date column, in the form the driver stores it (SQLite keeps UTC text). */
export function dateParameter(source: SqlSource, date: Date): Date | string {
  return dataSourceOf(source).options.type === "sqlite" ? DateUtils.mixedDateToUtcDatetimeString(date) : date;
}

/**
 * The sqlite3 connection under TypeORM's SQLite driver. `driver.databaseConnection` is TypeORM's
 * internal, not its API: an upgrade that moves it fails here, by name, and in test/driver-internals.
 */
export function sqliteConnection(dataSource: DataSource): sqlite3.Database {
  const connection = (dataSource.driver as unknown as { databaseConnection?: unknown }).databaseConnection;
  if (!(connection instanceof sqlite3.Database)) {
    throw new Error("TypeORM's SQLite driver no longer keeps its sqlite3 connection in driver.databaseConnection; update common/sql.ts.");
  }
  return connection;
}

/** Statements differ by the length of their `IN (…)` lists; a few hundred cover every shape in use. */
const PREPARED_STATEMENTS = 256;

/**
 * The statements of a SQLite connection, each prepared once and kept: sqlite3 otherwise
 * prepares, runs and finalises each statement afresh, three trips to its thread pool, not one. Made
 * with the connection (Database.open) and finalised before it closes, which SQLite needs.
 */
export class PreparedStatements {
  private readonly statements = new Map<string, sqlite3.Statement>();
  private readonly connection: sqlite3.Database;

  constructor(private readonly dataSource: DataSource) {
    this.connection = sqliteConnection(dataSource);
  }

  /** How many statements are kept. */
  get size(): number {
    return this.statements.size;
  }

  async all(statement: Sql): Promise<Row[]> {
    const text = statement.sql;
    const parameters = statement.values;
    this.dataSource.logger.logQuery(text, parameters);
    let prepared = this.statements.get(text);
    if (!prepared) {
      let fresh: sqlite3.Statement;
      try {
        fresh = await this.prepare(text);
      } catch (error) {
        this.dataSource.logger.logQueryError(error as Error, text, parameters);
        throw error;
      }
      // Another call may have prepared the same text meanwhile: one is kept, the other finalised.
      prepared = this.statements.get(text);
      if (prepared) fresh.finalize();
      else {
        if (this.statements.size >= PREPARED_STATEMENTS) {
          const [oldest, old] = this.statements.entries().next().value!;
          this.statements.delete(oldest);
          old.finalize();
        }
        this.statements.set(text, fresh);
        prepared = fresh;
      }
    }
    return this.run(text, prepared, parameters);
  }

  /** Without a callback, a statement that fails to prepare (a table a revert dropped) emits an `error` nobody hears, and the process ends. */
  private prepare(text: string): Promise<sqlite3.Statement> {
    return new Promise((resolve, reject) => {
      const statement: sqlite3.Statement = this.connection.prepare(text, (error: Error | null) =>
        error ? reject(error) : resolve(statement),
      );
    });
  }

  private run(text: string, kept: sqlite3.Statement, parameters: unknown[]): Promise<Row[]> {
    return new Promise((resolve, reject) =>
      kept.all(parameters, (error: Error | null, rows: Row[]) => {
        if (!error) return resolve(rows);
        // A failed statement is not kept: it may be half-run, and SQLite cannot close with it open.
        if (this.statements.get(text) === kept) {
          this.statements.delete(text);
          kept.finalize();
        }
        this.dataSource.logger.logQueryError(error, text, parameters);
        reject(error);
      }),
    );
  }

  /** Finalises every kept statement: SQLite will not close a connection that has any. */
  async finalize(): Promise<void> {
    const statements = [...this.statements.values()];
    this.statements.clear();
    await Promise.all(statements.map((statement) => new Promise<void>((resolve) => statement.finalize(() => resolve()))));
  }
}

/** A value read from `entity`'s column for `property`, converted as the driver converts it for `find`. */
export function hydratedValue<TEntity extends ObjectLiteral>(
  source: SqlSource,
  entity: EntityTarget<TEntity>,
  property: keyof TEntity & string,
  value: unknown,
): unknown {
  const dataSource = dataSourceOf(source);
  const column = dataSource.getMetadata(entity).findColumnWithPropertyName(property);
  if (!column) throw new Error(`No column for ${property}.`);
  return dataSource.driver.prepareHydratedValue(value, column);
}

/** The column behind `property` of an entity, and its value as the driver stores it. */
function storedColumn(dataSource: DataSource, metadata: EntityMetadata, property: string, value: unknown): { name: Sql; value: unknown } {
  const column = metadata.findColumnWithPropertyName(property);
  if (!column) throw new Error(`${metadata.name} has no column for ${property}.`);
  return { name: raw(`"${column.databaseName}"`), value: dataSource.driver.preparePersistentValue(value, column) };
}

/** `"column" = value` for each property of `values`, as the driver stores them. */
function columnEquals(dataSource: DataSource, metadata: EntityMetadata, values: ObjectLiteral, separator: string): Sql {
  const pairs = Object.entries(values).map(([property, value]) => {
    const column = storedColumn(dataSource, metadata, property, value);
    return sql`${column.name} = ${column.value}`;
  });
  if (pairs.length === 0) throw new Error(`No columns of ${metadata.name} given.`);
  return join(pairs, separator);
}

/**
 * The INSERT of `rows` into `entity`'s table, in one statement: every column the entity declares, so a
 * new column needs no edit here. `computed` gives the value of some columns as SQL (a subquery) instead
 * of the rows'. A generated key the first row leaves out is left to the database for every row.
 */
export function insertStatement<TEntity extends ObjectLiteral>(
  manager: EntityManager,
  entity: EntityTarget<TEntity>,
  rows: readonly TEntity[],
  computed: Partial<Record<keyof TEntity & string, Sql>> = {},
): Sql {
  const dataSource = manager.connection;
  const metadata = dataSource.getMetadata(entity);
  if (rows.length === 0) throw new Error(`No ${metadata.name} rows to insert.`);
  const given = metadata.columns.filter((column) => !(column.isGenerated && rows[0]![column.propertyName] === undefined));
  const names = given.map((column) => raw(`"${column.databaseName}"`));
  const values = rows.map(
    (row) =>
      sql`(${join(
        given.map((column) => {
          const value = computed[column.propertyName as keyof TEntity & string];
          return value ?? sql`${storedColumn(dataSource, metadata, column.propertyName, row[column.propertyName]).value}`;
        }),
      )})`,
  );
  return sql`INSERT INTO ${raw(`"${metadata.tableName}"`)} (${join(names, ", ")}) VALUES ${join(values)}`;
}

/** Inserts `row` into `entity`'s table (see `insertStatement`). */
export async function insertEntity<TEntity extends ObjectLiteral>(
  manager: EntityManager,
  entity: EntityTarget<TEntity>,
  row: TEntity,
): Promise<void> {
  await changeRows(manager, insertStatement(manager, entity, [row]));
}

/** Sets the columns `changes` names on the rows of `entity` whose columns equal `where`'s. */
export async function updateEntities<TEntity extends ObjectLiteral>(
  manager: EntityManager,
  entity: EntityTarget<TEntity>,
  where: Partial<TEntity>,
  changes: Partial<TEntity>,
): Promise<void> {
  const dataSource = manager.connection;
  const metadata = dataSource.getMetadata(entity);
  await changeRows(
    manager,
    sql`UPDATE ${raw(`"${metadata.tableName}"`)} SET ${columnEquals(dataSource, metadata, changes, ", ")} WHERE ${columnEquals(dataSource, metadata, where, " AND ")}`,
  );
}

/** Deletes the rows of `entity` whose columns equal `where`'s. */
export async function deleteEntities<TEntity extends ObjectLiteral>(
  manager: EntityManager,
  entity: EntityTarget<TEntity>,
  where: Partial<TEntity>,
): Promise<void> {
  const dataSource = manager.connection;
  const metadata = dataSource.getMetadata(entity);
  await changeRows(manager, sql`DELETE FROM ${raw(`"${metadata.tableName}"`)} WHERE ${columnEquals(dataSource, metadata, where, " AND ")}`);
}
