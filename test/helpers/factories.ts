import { expect } from "chai";
import { tokenFor, type GraphQLResponse, type TestServer } from "./server";

/** The fields most tests read back from an Account. */
export const ACCOUNT_FIELDS = `
  id name viewerRole contactsVersion
  primaryContact { id email }
  billingContacts { id email }
  roleContacts { role email isExternal user { id email } updatedBy { email } }
`;

export interface TestUser {
  id: string;
  email: string;
  token: string;
}

export interface AccountState {
  id: string;
  name: string;
  viewerRole: string;
  contactsVersion: number;
  primaryContact: { id: string; email: string };
  billingContacts: { id: string; email: string }[];
  roleContacts: { role: string; email: string; isExternal: boolean; user: { id: string; email: string } | null }[];
}

/** Asserts a response has no errors and returns its data. */
export function ok<TData>(response: GraphQLResponse<TData>): TData {
  expect(response.errors, JSON.stringify(response.errors)).to.equal(undefined);
  return response.data as TData;
}

/** Asserts a response failed with exactly one error of this code and returns that error. */
export function failsWith(response: GraphQLResponse, code: string) {
  expect(response.errors, `expected ${code}, got ${JSON.stringify(response)}`)
    .to.be.an("array")
    .with.lengthOf(1);
  const error = response.errors![0]!;
  expect(error.extensions?.code, JSON.stringify(error)).to.equal(code);
  expect(error.message).to.be.a("string").and.not.equal("");
  return error;
}

/** Signs a user in (creating their record) and returns their id and token. */
export async function signIn(server: TestServer, email: string, name?: string): Promise<TestUser> {
  const token = await tokenFor(email, name);
  const data = ok(await server.graphql<{ viewer: { id: string; email: string } }>("{ viewer { id email } }", {}, token));
  return { id: data.viewer.id, email: data.viewer.email, token };
}

export async function createAccount(server: TestServer, owner: TestUser, name = "Test Account"): Promise<AccountState> {
  const data = ok(
    await server.graphql<{ createAccount: { account: AccountState } }>(
      `mutation($input: CreateAccountInput!) { createAccount(input: $input) { account { ${ACCOUNT_FIELDS} } } }`,
      { input: { name } },
      owner.token,
    ),
  );
  return data.createAccount.account;
}

export async function addMember(
  server: TestServer,
  admin: TestUser,
  accountId: string,
  email: string,
  role: "ADMIN" | "MEMBER" = "MEMBER",
): Promise<TestUser> {
  const data = ok(
    await server.graphql<{ addAccountMember: { invitation: { id: string } | null } }>(
      `mutation($input: AddAccountMemberInput!) { addAccountMember(input: $input) { invitation { id } } }`,
      { input: { accountId, email, role } },
      admin.token,
    ),
  );
  const person = await signIn(server, email);
  if (data.addAccountMember.invitation) await acceptInvitation(server, person, data.addAccountMember.invitation.id);
  return person;
}

/** The invited person accepts their invitation, signed in, as a screen would have them do. */
export async function acceptInvitation(server: TestServer, person: TestUser, invitationId: string): Promise<void> {
  ok(
    await server.graphql(
      `mutation($input: AcceptInvitationInput!) { acceptInvitation(input: $input) { member { role } } }`,
      { input: { invitationId } },
      person.token,
    ),
  );
}

/**
 * Runs one account mutation by name with `input` (of type `<Mutation>Input`), returning the response
 * with the payload's account in place of the payload: `data[mutation]` is the account after the change.
 */
export async function mutate(server: TestServer, token: string, mutation: string, input: Record<string, unknown>) {
  const inputType = `${mutation.charAt(0).toUpperCase()}${mutation.slice(1)}Input`;
  const response = await server.graphql<Record<string, { account: AccountState } | AccountState | null>>(
    `mutation($input: ${inputType}!) { ${mutation}(input: $input) { account { ${ACCOUNT_FIELDS} } } }`,
    { input },
    token,
  );
  const payload = response.data?.[mutation] as { account: AccountState } | null | undefined;
  if (payload) response.data![mutation] = payload.account;
  return response as typeof response & { data?: Record<string, AccountState> | null };
}

export async function readAccount(server: TestServer, token: string, id: string): Promise<AccountState> {
  return ok(await server.graphql<{ account: AccountState }>(`query($id: ID!) { account(id: $id) { ${ACCOUNT_FIELDS} } }`, { id }, token))
    .account;
}

export interface HistoryRow {
  slot: string;
  action: string;
  previousEmail: string | null;
  newEmail: string | null;
  actor: { email: string };
}

export async function readHistory(server: TestServer, token: string, id: string, first = 100): Promise<HistoryRow[]> {
  const data = ok(
    await server.graphql<{ account: { contactHistory: { edges: { node: HistoryRow }[] } } }>(
      `query($id: ID!, $first: Int) { account(id: $id) { contactHistory(first: $first) { edges { node { slot action previousEmail newEmail actor { email } } } } } }`,
      { id, first },
      token,
    ),
  );
  return data.account.contactHistory.edges.map((edge) => edge.node);
}

/** An account with an admin and `memberCount` plain members, for contact tests. */
export async function accountWithMembers(server: TestServer, memberCount: number, prefix = "m") {
  const admin = await signIn(server, `${prefix}-admin-${Math.random().toString(36).slice(2, 8)}@example.com`, "Admin");
  const account = await createAccount(server, admin);
  const members: TestUser[] = [];
  for (let index = 0; index < memberCount; index++) {
    members.push(await addMember(server, admin, account.id, `${prefix}${index}-${Math.random().toString(36).slice(2, 8)}@example.com`));
  }
  return { admin, account, members };
}
