import type { Database } from "../database";
import { ContactChange } from "./contact-change.entity";
import { decodeCursor, toPage, type Page } from "../common/pagination";

/** An account's contact history, newest first. */
export async function listContactChanges(
  db: Database,
  accountId: string,
  first: number,
  after?: string | null,
): Promise<Page<ContactChange>> {
  const before = after ? Number(decodeCursor(after, ["number"])[0]) : null;
  return db.read(async (manager) => {
    const query = manager
      .createQueryBuilder(ContactChange, "change")
      .where("change.accountId = :accountId", { accountId })
      .orderBy("change.id", "DESC")
      .limit(first + 1);
    if (before !== null) query.andWhere("change.id < :before", { before });
    const [rows, totalCount] = await Promise.all([
      query.getMany(),
      manager.count(ContactChange, { where: { accountId } }),
    ]);
    return toPage(rows, first, totalCount, (row) => [row.sequence], (row) => row);
  });
}
