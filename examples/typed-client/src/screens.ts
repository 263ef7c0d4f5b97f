// Three operations from examples/, typed by GraphQL Code Generator's client preset (./gql):
// MyAccounts (the account switcher, paged), AccountContacts (the settings screen, through fragments)
// and SetPrimaryContact (a mutation: one `input`, a payload, errors with invalidFields).
//
// Fragment masking is on: a result's type holds only the fields the operation selects itself, and
// the fields of a spread fragment are read with getFragmentData(TheFragmentDoc, value). Reading
// `account.name` straight from an AccountContacts result does not compile.
import { getFragmentData, type FragmentType } from "./gql";
import {
  AccountContactsDocument,
  AccountContactsFieldsFragmentDoc,
  ContactUserFragmentDoc,
  MyAccountsDocument,
  SetPrimaryContactDocument,
  type ContactRoleKind,
  type MemberRole,
  type MyAccountsQuery,
} from "./gql/graphql";
import { errorsWithCode, fieldMessages, type Client, type Result } from "./client";

export interface AccountSummary {
  id: string;
  name: string;
  role: string;
}

/** Every account of the signed-in user, oldest first, a page at a time (`after: endCursor`). */
export async function loadAccountSwitcher(client: Client): Promise<{ viewerEmail: string; accounts: AccountSummary[] }> {
  const accounts: AccountSummary[] = [];
  let viewerEmail = "";
  let after: string | null = null;
  for (;;) {
    // Annotated because `after` depends on the previous page: TypeScript cannot infer a loop of itself.
    const { data, errors }: Result<MyAccountsQuery> = await client.request(MyAccountsDocument, { first: 50, after });
    if (!data) throw new Error(errors[0]?.message ?? "No answer.");
    // `viewer` is masked: its fields come from the ContactUser fragment.
    viewerEmail = getFragmentData(ContactUserFragmentDoc, data.viewer).email;
    for (const { node } of data.accounts.edges) accounts.push({ id: node.id, name: node.name, role: roleLabel(node.viewerRole) });
    if (!data.accounts.pageInfo.hasNextPage) return { viewerEmail, accounts };
    after = data.accounts.pageInfo.endCursor;
  }
}

/** Enums arrive as string unions with a '%future added value' case: new values are additive after 1.0. */
export function roleLabel(role: MemberRole): string {
  switch (role) {
    case "ADMIN":
      return "Admin";
    case "MEMBER":
      return "Member";
    default:
      return role; // a role added after this client was built: show it as it is
  }
}

export interface ContactsView {
  name: string;
  canEdit: boolean;
  contactsVersion: number;
  primaryEmail: string;
  billingEmails: string[];
  roles: { role: ContactRoleKind; email: string; pending: boolean }[];
  missingRoles: ContactRoleKind[];
}

/** What a user is called on screen: their name, else their address. Takes a masked ContactUser. */
function userLabel(user: FragmentType<typeof ContactUserFragmentDoc>): string {
  const { name, email } = getFragmentData(ContactUserFragmentDoc, user);
  return name ?? email;
}

/** The settings screen of one account; null when it does not exist or the user may not see it. */
export async function loadAccountContacts(client: Client, accountId: string): Promise<ContactsView | null> {
  const result = await client.request(AccountContactsDocument, { accountId });
  // `account` is nullable since 1.0: null with a NOT_FOUND error, and the rest of the answer intact.
  if (!result.data?.account) {
    if (errorsWithCode(result, "NOT_FOUND").length > 0) return null;
    throw new Error(result.errors[0]?.message ?? "No answer.");
  }
  const account = getFragmentData(AccountContactsFieldsFragmentDoc, result.data.account);
  return {
    name: account.name,
    canEdit: account.viewerCanAdminister,
    contactsVersion: account.contactsVersion,
    primaryEmail: getFragmentData(ContactUserFragmentDoc, account.primaryContact).email,
    billingEmails: account.billingContacts.map(userLabel),
    roles: account.roleContacts.map((contact) => ({
      role: contact.role,
      email: contact.email,
      pending: contact.verification?.state === "PENDING",
    })),
    missingRoles: account.contactHealth.missingRoles,
  };
}

export type SaveOutcome =
  | { ok: true; contactsVersion: number }
  | { ok: false; conflict: true }
  | { ok: false; conflict: false; fields: Map<string, string>; message: string };

/** Makes a member the primary contact, refusing to overwrite a change the user has not seen. */
export async function makePrimaryContact(client: Client, accountId: string, userId: string, seenVersion: number): Promise<SaveOutcome> {
  const result = await client.request(SetPrimaryContactDocument, {
    input: { accountId, userId, expectedVersion: seenVersion },
  });
  // A refused mutation answers null for its payload, with its error in `errors`.
  if (result.data?.setPrimaryContact) {
    // The payload carries the changed account; its fields are behind the AccountContactsFields fragment.
    const account = getFragmentData(AccountContactsFieldsFragmentDoc, result.data.setPrimaryContact.account);
    return { ok: true, contactsVersion: account.contactsVersion };
  }
  if (errorsWithCode(result, "VERSION_CONFLICT").length > 0) return { ok: false, conflict: true };
  return { ok: false, conflict: false, fields: fieldMessages(result), message: result.errors[0]?.message ?? "No answer." };
}
