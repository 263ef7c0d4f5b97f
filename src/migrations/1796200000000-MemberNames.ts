import type { MigrationInterface, QueryRunner } from "typeorm";
import { checkName, cleanName } from "../common/names";
import { normaliseEmail } from "../common/email";
import { commitStep } from "./support/steps";

/**
 * Names an admin types belong to the membership, not to the user every account shares.
 *
 * - `account_members.nameGivenByAdmin` is added. A user who never signed in got their name from an
 *   admin who added them; it moves to their membership when they have exactly one. With several, no
 *   record says which account's admin typed it, and showing it in the others is the leak this closes,
 *   so it is dropped. Such users' `users.name` is cleared; it is refilled by their own sign-in.
 * - Stored names with line breaks, control characters or direction controls are cleaned as a token's
 *   name is (an account name with nothing left becomes "Unnamed account").
 * - Users' emails with an internationalised domain are stored in its ASCII form, the form sign-in now
 *   gives, unless another user already has that form.
 */
export class MemberNames1796200000000 implements MigrationInterface {
  name = "MemberNames1796200000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    const postgres = queryRunner.connection.options.type === "postgres";
    await queryRunner.query(`ALTER TABLE "account_members" ADD ${postgres ? "IF NOT EXISTS " : ""}"nameGivenByAdmin" varchar(200)`);
    await commitStep(queryRunner);
    // `signedInAt` is new: without statistics PostgreSQL plans a nested loop of users × memberships.
    if (postgres) await queryRunner.query(`ANALYZE "users", "account_members"`);
    // One join, not a count per user: the same rows get the same names.
    await queryRunner.query(
      `UPDATE "account_members" SET "nameGivenByAdmin" = "u"."name"
       FROM "users" "u"
       WHERE "u"."id" = "account_members"."userId" AND "u"."signedInAt" IS NULL AND "u"."name" IS NOT NULL
         AND "account_members"."userId" IN (SELECT "m"."userId" FROM "account_members" "m" GROUP BY "m"."userId" HAVING COUNT(*) = 1)`,
    );
    await queryRunner.query(`UPDATE "users" SET "name" = NULL WHERE "signedInAt" IS NULL`);

    await cleanNames(queryRunner, "users", ["id"], "name", (name) => cleanName(name));
    await cleanNames(queryRunner, "account_members", ["accountId", "userId"], "nameGivenByAdmin", (name) => cleanName(name));
    await cleanNames(queryRunner, "accounts", ["id"], "name", (name) => cleanName(name) ?? "Unnamed account");

    for (const row of await unusualRows(queryRunner, "users", ["id"], "email")) {
      const email = normaliseEmail(row.email);
      if (!email || email === row.email) continue;
      const [taken] = await queryRunner.query(`SELECT 1 FROM "users" WHERE "email" = ${placeholder(queryRunner, 1)}`, [email]);
      if (!taken)
        await queryRunner.query(`UPDATE "users" SET "email" = ${placeholder(queryRunner, 1)} WHERE "id" = ${placeholder(queryRunner, 2)}`, [
          email,
          row.id,
        ]);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `UPDATE "users" SET "name" = (SELECT "m"."nameGivenByAdmin" FROM "account_members" "m" WHERE "m"."userId" = "users"."id" AND "m"."nameGivenByAdmin" IS NOT NULL LIMIT 1)
       WHERE "signedInAt" IS NULL AND "name" IS NULL`,
    );
    await queryRunner.query(`ALTER TABLE "account_members" DROP COLUMN "nameGivenByAdmin"`);
  }
}

function placeholder(queryRunner: QueryRunner, position: number): string {
  return queryRunner.connection.options.type === "postgres" ? `$${position}` : "?";
}

/** Rows whose `column` holds anything but printable ASCII: the only ones a change of rules can touch. */
function unusualRows(queryRunner: QueryRunner, table: string, keys: string[], column: string): Promise<Record<string, string>[]> {
  const unusual = queryRunner.connection.options.type === "postgres" ? `"${column}" ~ '[^ -~]'` : `"${column}" GLOB '*[^ -~]*'`;
  const columns = [...keys, column].map((name) => `"${name}"`).join(", ");
  return queryRunner.query(`SELECT ${columns} FROM "${table}" WHERE ${unusual}`);
}

async function cleanNames(
  queryRunner: QueryRunner,
  table: string,
  keys: string[],
  column: string,
  clean: (name: string) => string | null,
): Promise<void> {
  for (const row of await unusualRows(queryRunner, table, keys, column)) {
    const name = row[column]!;
    if (checkName(name).ok) continue;
    const where = keys.map((key, index) => `"${key}" = ${placeholder(queryRunner, index + 2)}`).join(" AND ");
    await queryRunner.query(`UPDATE "${table}" SET "${column}" = ${placeholder(queryRunner, 1)} WHERE ${where}`, [
      clean(name),
      ...keys.map((key) => row[key]),
    ]);
  }
}
