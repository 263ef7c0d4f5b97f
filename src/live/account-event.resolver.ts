import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Resolver, Root, Subscription, type SubscribeResolverData } from "type-graphql";
import { Account } from "../accounts/account.entity";
import { AccountSetting, AccountSettingChange } from "../accounts/account-setting-change.entity";
import { ContactChange } from "../history/contact-change.entity";
import { ContactChangeActor, ExternalContact, MAX_CONTACT_CHANGES_PER_WRITE } from "../history/history.types";
import { MaxItems } from "../common/pagination";
import { MemberChange } from "../members/member-change.entity";
import type { User } from "../users/user.entity";
import type { Context } from "../context";
import { badInput, notFound } from "../errors";
import { ACCOUNT_EVENT_KINDS, kindsOf } from "../events/account-event.entity";
import { AccountChangedEvent } from "./account-event.types";
import type { FeedItem } from "./account-feed.service";

interface AccountChangedArgs {
  accountId: string;
  afterSequence?: number | null;
}

/** Opens the feed of an account the viewer is a member of (NOT_FOUND otherwise, as a query answers). */
async function openFeed({ args, context }: SubscribeResolverData<unknown, AccountChangedArgs, Context>): Promise<AsyncIterable<FeedItem>> {
  if (args.afterSequence != null && args.afterSequence < 0) throw badInput("BAD_USER_INPUT.negativeSequence", {}, "afterSequence");
  const account = await context.readableAccount(args.accountId, "accountId");
  if (!context.accountFeed) throw new Error("Subscriptions are served over WebSocket only.");
  return context.accountFeed.subscribe(account.id, context.requiredViewer.id, args.afterSequence ?? null);
}

@Resolver(() => AccountChangedEvent)
export class AccountEventResolver {
  @Authorized()
  @Subscription(() => AccountChangedEvent, {
    description:
      "Every committed change of the account after `afterSequence` (or from now when left out), in order. " +
      'Over WebSocket (graphql-ws) at /graphql, with `{ authorization: "Bearer …" }` as the connection_init payload. ' +
      "Ends with NOT_FOUND when the viewer stops being a member.",
    subscribe: (data: SubscribeResolverData<unknown, AccountChangedArgs, Context>) => openFeed(data),
  })
  accountChanged(
    @Root() item: FeedItem,
    @Ctx() context: Context,
    @Arg("accountId", () => ID) _accountId: string,
    @Arg("afterSequence", () => Int, {
      nullable: true,
      description: "The last sequence the client holds (Account.eventSequence after a fetch).",
    })
    _afterSequence?: number | null,
  ): AccountChangedEvent {
    // Each event is answered from the database as it is when the event is delivered.
    context.refresh();
    if (item.kind === "revoked") throw notFound();
    if (item.kind === "reload") {
      return Object.assign(new AccountChangedEvent(), {
        sequence: item.sequence,
        contactsVersion: -1,
        kinds: [...ACCOUNT_EVENT_KINDS],
        at: new Date(),
        reloadRequired: true,
        accountId: item.accountId,
        actorId: null,
        actorEmail: null,
      });
    }
    const { event, rows, account, member } = item;
    // Read once for every subscriber of the account; what the fields below ask for is found here.
    context.loaders.accountById.prime(account.id, account);
    context.loaders.membership.prime({ accountId: account.id, userId: member.userId }, member);
    const key = { accountId: account.id, sequence: event.sequence };
    context.loaders.contactChangesOfEvent.prime(key, rows.changes);
    context.loaders.memberChangesOfEvent.prime(key, rows.memberChanges);
    context.loaders.settingChangesOfEvent.prime(key, rows.settingChanges);
    return Object.assign(new AccountChangedEvent(), {
      sequence: event.sequence,
      contactsVersion: event.contactsVersion,
      kinds: kindsOf(event),
      at: event.at,
      reloadRequired: false,
      accountId: event.accountId,
      actorId: event.actorId,
      actorEmail: event.actorEmail,
    });
  }

  @FieldResolver(() => Account, { description: "The account as it is now, read when the event is delivered." })
  async account(@Root() event: AccountChangedEvent, @Ctx() context: Context): Promise<Account> {
    const [member, account] = await Promise.all([
      context.loaders.membership.load({ accountId: event.accountId, userId: context.requiredViewer.id }),
      context.loaders.accountById.load(event.accountId),
    ]);
    if (!member || !account) throw notFound();
    return account;
  }

  @FieldResolver(() => Int, {
    description: "The account's contactsVersion after the change; with `reloadRequired`, its contactsVersion now.",
  })
  async contactsVersion(@Root() event: AccountChangedEvent, @Ctx() context: Context): Promise<number> {
    if (event.contactsVersion >= 0) return event.contactsVersion;
    return (await this.account(event, context)).contactsVersion;
  }

  @FieldResolver(() => ContactChangeActor, {
    nullable: true,
    description: "Who made the change: a member (User) or the owner of an outside address (ExternalContact); null when unknown.",
  })
  async changedBy(@Root() event: AccountChangedEvent, @Ctx() context: Context): Promise<User | ExternalContact | null> {
    if (event.actorEmail !== null) return Object.assign(new ExternalContact(), { email: event.actorEmail });
    return event.actorId === null ? null : context.loaders.userById.load(event.actorId);
  }

  @FieldResolver(() => [ContactChange], {
    description: "The contact history rows the change wrote (their eventSequence is this sequence), in the order written.",
  })
  @MaxItems(MAX_CONTACT_CHANGES_PER_WRITE)
  changes(@Root() event: AccountChangedEvent, @Ctx() context: Context): Promise<ContactChange[]> | ContactChange[] {
    return event.reloadRequired ? [] : context.loaders.contactChangesOfEvent.load({ accountId: event.accountId, sequence: event.sequence });
  }

  @FieldResolver(() => [MemberChange], { description: "The membership changes the change wrote, in the order written." })
  // Every mutation that changes membership changes one member (only the demo seed, before anyone listens, adds several).
  @MaxItems(1)
  memberChanges(@Root() event: AccountChangedEvent, @Ctx() context: Context): Promise<MemberChange[]> | MemberChange[] {
    return event.reloadRequired ? [] : context.loaders.memberChangesOfEvent.load({ accountId: event.accountId, sequence: event.sequence });
  }

  @FieldResolver(() => [AccountSettingChange], { description: "The setting changes the change wrote, in the order written." })
  // One row per setting the change set.
  @MaxItems(Object.keys(AccountSetting).length)
  settingChanges(@Root() event: AccountChangedEvent, @Ctx() context: Context): Promise<AccountSettingChange[]> | AccountSettingChange[] {
    return event.reloadRequired ? [] : context.loaders.settingChangesOfEvent.load({ accountId: event.accountId, sequence: event.sequence });
  }
}

@Resolver(() => Account)
export class AccountEventSequenceResolver {
  @FieldResolver(() => Int, {
    description:
      "The sequence of the account's latest event; 0 when none. Pass it as `afterSequence` to `Subscription.accountChanged` to miss nothing after this read.",
  })
  eventSequence(@Root() account: Account, @Ctx() context: Context): Promise<number> {
    return context.loaders.eventSequence.load(account.id);
  }
}
