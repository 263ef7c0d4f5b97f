import type { Database } from "../database";
import { ContactChange } from "./contact-change.entity";
import { User } from "../users/user.entity";
import { decodeCursor, toPage, type Page } from "../common/pagination";

export interface ContactChangePageRequest {
  accountIds: string[];
  first: number;
  after?: string | null;
}

/** A history row with the user who made the change, read in the same statement. */
export type ContactChangeWithActor = ContactChange & { actor: User };

/**
 * One page of contact history (newest first, with each change's actor) for each of several
 * accounts, in two statements whatever their number: the pages, and the counts. Several accounts
 * share one statement by ranking each account's changes in a window; one account reads its page
 * with a plain LIMIT, which stops early however long its history is.
 */
export async function loadContactChangePages(db: Database, request: ContactChangePageRequest): Promise<Page<ContactChangeWithActor>[]> {
  const { accountIds, first } = request;
  const before = request.after ? Number(decodeCursor(request.after, ["number"])[0]) : null;
  return db.read(async (manager) => {
    const query = manager
      .createQueryBuilder(ContactChange, "change")
      .innerJoinAndMapOne("change.actor", User, "actor", 'actor.id = change."actorId"');
    if (accountIds.length === 1) {
      query.where('change."accountId" = :accountId', { accountId: accountIds[0] }).orderBy("change.id", "DESC").limit(first + 1);
      if (before !== null) query.andWhere("change.id < :before", { before });
    } else {
      query
        .innerJoin(
          (ranked) => {
            ranked
              .select("c.id", "id")
              .addSelect('ROW_NUMBER() OVER (PARTITION BY c."accountId" ORDER BY c.id DESC)', "rank")
              .from(ContactChange, "c")
              .where('c."accountId" IN (:...accountIds)', { accountIds });
            if (before !== null) ranked.andWhere("c.id < :before", { before });
            return ranked;
          },
          "page",
          "page.id = change.id",
        )
        .where("page.rank <= :limit", { limit: first + 1 });
    }
    const [rows, counts] = await Promise.all([
      query.getMany() as Promise<ContactChangeWithActor[]>,
      manager
        .createQueryBuilder(ContactChange, "c")
        .select('c."accountId"', "accountId")
        .addSelect("COUNT(*)", "total")
        .where('c."accountId" IN (:...accountIds)', { accountIds })
        .groupBy('c."accountId"')
        .getRawMany<{ accountId: string; total: string | number }>(),
    ]);
    const totals = new Map(counts.map((row) => [row.accountId, Number(row.total)]));
    const byAccount = new Map<string, ContactChangeWithActor[]>();
    for (const row of rows) {
      const list = byAccount.get(row.accountId);
      if (list) list.push(row);
      else byAccount.set(row.accountId, [row]);
    }
    return accountIds.map((accountId) =>
      toPage(
        (byAccount.get(accountId) ?? []).sort((a, b) => b.sequence - a.sequence),
        first,
        totals.get(accountId) ?? 0,
        (row) => [row.sequence],
        (row) => row,
      ),
    );
  });
}

/** An account's contact history, newest first. */
export async function listContactChanges(
  db: Database,
  accountId: string,
  first: number,
  after?: string | null,
): Promise<Page<ContactChange>> {
  const [page] = await loadContactChangePages(db, { accountIds: [accountId], first, after });
  return page!;
}
