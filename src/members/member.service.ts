import type { EntityManager } from "typeorm";
import type { Database } from "../database";
import type { AccountChange } from "../accounts/account-access";
import { AccountMember, MemberRole } from "./account-member.entity";
import { findOrCreateUser } from "../users/user.service";
import { User } from "../users/user.entity";
import { clearRoleContact, removeBillingContact, slotsHeldBy } from "../contacts/contact.service";
import { handOverSlots } from "./reassign.service";
import { badInput, DomainError, ErrorCode } from "../errors";
import { isEmail, normaliseEmail } from "../auth/tokens";
import { cursorDate, decodeCursor, toPage, type Page } from "../common/pagination";

async function adminCount(manager: EntityManager, accountId: string): Promise<number> {
  return manager.count(AccountMember, { where: { accountId, role: MemberRole.ADMIN } });
}

const lastAdmin = () =>
  new DomainError(ErrorCode.LAST_ADMIN, "An account needs at least one admin. Make another member an admin first.");

/** Adds the person with this email as a member, or changes the role of the member they already are. */
export async function addAccountMember(
  change: AccountChange,
  input: { email: string; name?: string | null; role?: MemberRole | null },
): Promise<void> {
  const email = normaliseEmail(input.email);
  if (!isEmail(email)) throw badInput("That is not a valid email address.", "email");
  const name = input.name?.trim() || null;
  const user = await findOrCreateUser(change.manager, email, name);
  const accountId = change.account.id;
  const role = input.role ?? MemberRole.MEMBER;
  const existing = await change.manager.findOne(AccountMember, { where: { accountId, userId: user.id } });
  if (existing) {
    if (existing.role === role) return;
    if (existing.role === MemberRole.ADMIN && (await adminCount(change.manager, accountId)) <= 1) throw lastAdmin();
    await change.manager.update(AccountMember, { accountId, userId: user.id }, { role });
  } else {
    await change.manager.insert(AccountMember, { accountId, userId: user.id, role, joinedAt: new Date() });
  }
  change.touch();
}

/**
 * Removes a member, and with them every billing contact and role they hold (each in history).
 * The primary contact cannot leave until someone else is primary (or `reassignTo` names a member who
 * takes over every slot they hold); the last admin cannot leave at all.
 */
export async function removeAccountMember(change: AccountChange, userId: string, reassignTo?: string | null): Promise<void> {
  const member = await change.member(userId);
  const accountId = change.account.id;
  if (member.role === MemberRole.ADMIN && (await adminCount(change.manager, accountId)) <= 1) throw lastAdmin();
  if (reassignTo) await handOverSlots(change, member.userId, reassignTo);
  const held = await slotsHeldBy(change, member.userId);
  if (held.primary) {
    throw new DomainError(
      ErrorCode.PRIMARY_CONTACT_REQUIRED,
      "This member is the primary contact. Make someone else the primary contact before removing them.",
    );
  }
  if (held.billing) await removeBillingContact(change, member.userId);
  for (const role of held.roles) await clearRoleContact(change, role.role);
  await change.manager.delete(AccountMember, { accountId, userId: member.userId });
  change.touch();
}

export interface MemberPageRequest {
  accountIds: string[];
  first: number;
  after?: string | null;
}

/** A member with their user record, read in the same statement. */
export type MemberWithUser = AccountMember & { user: User };

/**
 * One page of members (with their users) for each of several accounts, in two statements whatever
 * their number: the pages, and the counts. Several accounts share one statement by ranking each
 * account's members in a window; one account reads its page with a plain LIMIT, which stops early.
 */
export async function loadMemberPages(db: Database, request: MemberPageRequest): Promise<Page<MemberWithUser>[]> {
  const { accountIds, first } = request;
  const cursor = request.after ? decodeCursor(request.after, ["string", "string"]) : null;
  const afterCursor = (alias: string) => [
    `(${alias}."joinedAt" > :joinedAt OR (${alias}."joinedAt" = :joinedAt AND ${alias}."userId" > :userId))`,
    cursor ? { joinedAt: db.dateParameter(cursorDate(cursor[0]!)), userId: cursor[1] } : {},
  ] as const;
  return db.read(async (manager) => {
    const query = manager
      .createQueryBuilder(AccountMember, "member")
      .innerJoinAndMapOne("member.user", User, "user", 'user.id = member."userId"');
    if (accountIds.length === 1) {
      query.where('member."accountId" = :accountId', { accountId: accountIds[0] }).orderBy('member."joinedAt"').addOrderBy('member."userId"').limit(first + 1);
      if (cursor) query.andWhere(...afterCursor("member"));
    } else {
      query
        .innerJoin(
          (ranked) => {
            ranked
              .select(['m."accountId" AS "accountId"', 'm."userId" AS "userId"'])
              .addSelect('ROW_NUMBER() OVER (PARTITION BY m."accountId" ORDER BY m."joinedAt", m."userId")', "rank")
              .from(AccountMember, "m")
              .where('m."accountId" IN (:...accountIds)', { accountIds });
            if (cursor) ranked.andWhere(...afterCursor("m"));
            return ranked;
          },
          "page",
          'page."accountId" = member."accountId" AND page."userId" = member."userId"',
        )
        .where("page.rank <= :limit", { limit: first + 1 });
    }
    const [rows, counts] = await Promise.all([
      query.getMany() as Promise<MemberWithUser[]>,
      manager
        .createQueryBuilder(AccountMember, "m")
        .select('m."accountId"', "accountId")
        .addSelect("COUNT(*)", "total")
        .where('m."accountId" IN (:...accountIds)', { accountIds })
        .groupBy('m."accountId"')
        .getRawMany<{ accountId: string; total: string | number }>(),
    ]);
    const totals = new Map(counts.map((row) => [row.accountId, Number(row.total)]));
    const byAccount = new Map<string, MemberWithUser[]>();
    for (const row of rows) {
      const list = byAccount.get(row.accountId);
      if (list) list.push(row);
      else byAccount.set(row.accountId, [row]);
    }
    const order = (a: AccountMember, b: AccountMember) =>
      a.joinedAt.getTime() - b.joinedAt.getTime() || (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0);
    return accountIds.map((accountId) =>
      toPage(
        (byAccount.get(accountId) ?? []).sort(order),
        first,
        totals.get(accountId) ?? 0,
        (row) => [row.joinedAt.toISOString(), row.userId],
        (row) => row,
      ),
    );
  });
}
