import type { DataSource, EntityManager, EntityTarget, ObjectLiteral } from "typeorm";
import type { ColumnMetadata } from "typeorm/metadata/ColumnMetadata";
import type { Database as SqliteConnection, Statement } from "sqlite3";

/*
 * Plain SQL for the reads every request makes, many times a second. TypeORM's query builder spends
 * several times as long building and parsing a statement as SQLite spends running it, so the hot
 * loaders write their SQL once and turn rows into entities here, converting each value with the
 * driver's own `prepareHydratedValue`: the entities come out exactly as `find` would make them.
 */

interface Column {
  property: string;
  key: string;
  metadata: ColumnMetadata;
  /** Dates, booleans and transformed columns need the driver's conversion; text and numbers come back as they are. */
  converted: boolean;
}

function needsConversion(column: ColumnMetadata): boolean {
  const type = column.type;
  return type === Date || type === Boolean || column.transformer !== undefined || (typeof type === "string" && /date|time|bool|json/i.test(type));
}

/** One entity's columns under one table alias: the select list, and rows back into entities. */
export class EntityColumns<TEntity extends ObjectLiteral> {
  /** `"alias"."column" AS "alias_column", …` */
  readonly select: string;
  private readonly columns: Column[];
  private readonly primary: Column[];

  constructor(
    private readonly dataSource: DataSource,
    private readonly entity: EntityTarget<TEntity>,
    readonly alias: string,
  ) {
    const metadata = dataSource.getMetadata(entity);
    this.columns = metadata.columns.map((column) => ({
      property: column.propertyName,
      key: `${alias}_${column.databaseName}`,
      metadata: column,
      converted: needsConversion(column),
    }));
    this.primary = this.columns.filter((column) => column.metadata.isPrimary);
    this.select = metadata.columns.map((column) => `"${alias}"."${column.databaseName}" AS "${alias}_${column.databaseName}"`).join(", ");
  }

  /** The entity in `row`, or null when a left join found none. */
  from(row: Record<string, unknown>): TEntity | null {
    if (this.primary.every((column) => row[column.key] == null)) return null;
    const driver = this.dataSource.driver;
    const entity = this.dataSource.getMetadata(this.entity).create() as Record<string, unknown>;
    for (const column of this.columns) {
      const value = row[column.key];
      entity[column.property] = column.converted ? driver.prepareHydratedValue(value, column.metadata) : value;
    }
    return entity as TEntity;
  }
}

const columnSets = new WeakMap<DataSource, Map<string, EntityColumns<ObjectLiteral>>>();

/** The (cached) columns of `entity` under `alias` for this data source. */
export function entityColumns<TEntity extends ObjectLiteral>(dataSource: DataSource, entity: EntityTarget<TEntity>, alias: string): EntityColumns<TEntity> {
  let sets = columnSets.get(dataSource);
  if (!sets) columnSets.set(dataSource, (sets = new Map()));
  const key = `${dataSource.getMetadata(entity).name}:${alias}`;
  let columns = sets.get(key);
  if (!columns) sets.set(key, (columns = new EntityColumns(dataSource, entity, alias) as EntityColumns<ObjectLiteral>));
  return columns as EntityColumns<TEntity>;
}

/** `?, ?, ?` for a list of parameters. */
export function placeholders(values: readonly unknown[]): string {
  return values.map(() => "?").join(", ");
}

/** SQLite connections that only read (see `Database.open`): their statements are prepared once and kept. */
const readOnlySqlite = new WeakSet<DataSource>();
const preparedStatements = new WeakMap<DataSource, Map<string, Statement>>();
/** Statements differ by the length of their `IN (…)` lists; a few hundred cover every shape in use. */
const PREPARED_STATEMENTS = 256;

/** Marks `dataSource` as a read-only SQLite connection whose statements may be kept prepared. */
export function keepPreparedStatements(dataSource: DataSource): void {
  readOnlySqlite.add(dataSource);
}

/** Finalises the statements kept for `dataSource`: SQLite will not close a connection that has any. */
export async function releasePreparedStatements(dataSource: DataSource): Promise<void> {
  const statements = [...(preparedStatements.get(dataSource)?.values() ?? [])];
  preparedStatements.delete(dataSource);
  readOnlySqlite.delete(dataSource);
  await Promise.all(statements.map((statement) => new Promise<void>((resolve) => statement.finalize(() => resolve()))));
}

/**
 * Runs a read on a read-only SQLite connection through a statement prepared once. sqlite3 otherwise
 * prepares, runs and finalises each statement afresh: three trips to its thread pool, not one.
 */
function readPrepared(dataSource: DataSource, sql: string, parameters: unknown[]): Promise<Record<string, unknown>[]> {
  let statements = preparedStatements.get(dataSource);
  if (!statements) preparedStatements.set(dataSource, (statements = new Map()));
  let statement = statements.get(sql);
  if (!statement) {
    if (statements.size >= PREPARED_STATEMENTS) {
      const [oldest, old] = statements.entries().next().value!;
      statements.delete(oldest);
      old.finalize();
    }
    const connection = (dataSource.driver as unknown as { databaseConnection: SqliteConnection }).databaseConnection;
    statement = connection.prepare(sql);
    statements.set(sql, statement);
  }
  dataSource.logger.logQuery(sql, parameters);
  const prepared = statement;
  return new Promise((resolve, reject) =>
    prepared.all(parameters, (error: Error | null, rows: Record<string, unknown>[]) => {
      if (!error) return resolve(rows);
      // A failed statement is not kept: it may be half-run, and SQLite cannot close with it open.
      if (statements.get(sql) === prepared) {
        statements.delete(sql);
        prepared.finalize();
      }
      dataSource.logger.logQueryError(error, sql, parameters);
      reject(error);
    }),
  );
}

/** Runs SQL written with `?` placeholders, numbering them `$1, $2, …` for PostgreSQL. */
export function selectRows(manager: EntityManager, sql: string, parameters: readonly unknown[]): Promise<Record<string, unknown>[]> {
  if (!manager.queryRunner && readOnlySqlite.has(manager.connection)) return readPrepared(manager.connection, sql, [...parameters]);
  let index = 0;
  const text = manager.connection.options.type === "postgres" ? sql.replace(/\?/g, () => `$${++index}`) : sql;
  return manager.query(text, [...parameters]);
}

/** Runs an INSERT, UPDATE or DELETE written with `?` placeholders. */
export async function changeRows(manager: EntityManager, sql: string, parameters: readonly unknown[]): Promise<void> {
  await selectRows(manager, sql, parameters);
}

/** `value` as the driver stores it in `entity`'s column for `property` (SQLite keeps dates as UTC text). */
export function storedValue<TEntity extends ObjectLiteral>(dataSource: DataSource, entity: EntityTarget<TEntity>, property: keyof TEntity & string, value: unknown): unknown {
  const column = dataSource.getMetadata(entity).findColumnWithPropertyName(property);
  if (!column) throw new Error(`No column for ${property}.`);
  return dataSource.driver.preparePersistentValue(value, column);
}
