import { Client } from "pg";

async function asAdmin(baseUrl: string, work: (admin: Client) => Promise<unknown>): Promise<void> {
  const admin = new Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await work(admin);
  } finally {
    await admin.end();
  }
}

/** Creates (dropping any old copy) a database named `name` on the server `baseUrl` points at; returns its URL. */
export async function createPostgresDatabase(baseUrl: string, name: string): Promise<string> {
  await asAdmin(baseUrl, async (admin) => {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${name}"`);
  });
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Drops the database `name` on the server `baseUrl` points at, ending any session still using it. */
export async function dropPostgresDatabase(baseUrl: string, name: string): Promise<void> {
  await asAdmin(baseUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

/** True when TEST_DATABASE_URL names a PostgreSQL server. */
export function testingOnPostgres(): boolean {
  return /^postgres(ql)?:\/\//.test(process.env.TEST_DATABASE_URL ?? "");
}
