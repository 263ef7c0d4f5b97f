import type { Logger } from "typeorm";

/** A TypeORM logger that counts the SQL statements sent to the database, failed ones included. */
export class StatementCounter implements Logger {
  count = 0;
  readonly statements: string[] = [];

  constructor(private readonly keep = false) {}

  logQuery(query: string): void {
    this.count++;
    if (this.keep) this.statements.push(query);
  }

  // A failed statement was counted by logQuery before it ran.
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}

  /** Counts the statements `work` causes. */
  async during<T>(work: () => Promise<T>): Promise<{ result: T; statements: number; sql: string[] }> {
    const before = this.count;
    const from = this.statements.length;
    const result = await work();
    return { result, statements: this.count - before, sql: this.statements.slice(from) };
  }
}
