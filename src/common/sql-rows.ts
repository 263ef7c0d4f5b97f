import type { DataSource, EntityManager, EntityTarget, ObjectLiteral } from "typeorm";
import type { ColumnMetadata } from "typeorm/metadata/ColumnMetadata";

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

/** Runs SQL written with `?` placeholders, numbering them `$1, $2, …` for PostgreSQL. */
export function selectRows(manager: EntityManager, sql: string, parameters: readonly unknown[]): Promise<Record<string, unknown>[]> {
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
