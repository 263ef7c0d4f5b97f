// Compile-time checks, proven by `tsc --strict` on this folder: each `@ts-expect-error` line must
// be an error, or the compilation fails. They show what the generated types refuse.
import { getFragmentData } from "./gql";
import {
  AccountContactsDocument,
  AccountContactsFieldsFragmentDoc,
  SetPrimaryContactDocument,
  type AccountContactsQuery,
} from "./gql/graphql";
import type { Client } from "./client";

export function readMasked(data: AccountContactsQuery): string | undefined {
  // @ts-expect-error Fragment masking: AccountContacts selects only `...AccountContactsFields`.
  const hidden: string = data.account?.name;
  const unmasked = data.account ? getFragmentData(AccountContactsFieldsFragmentDoc, data.account) : null;
  return unmasked?.name ?? hidden;
}

export async function wrongVariables(client: Client): Promise<void> {
  // @ts-expect-error 1.0 mutations take one `input`, not loose arguments.
  await client.request(SetPrimaryContactDocument, { accountId: "a", userId: "u" });
  // @ts-expect-error An id is an opaque string, never a number.
  await client.request(AccountContactsDocument, { accountId: 42 });
}

export async function nullableAccount(client: Client): Promise<string> {
  const result = await client.request(AccountContactsDocument, { accountId: "a" });
  // @ts-expect-error `account` is nullable since 1.0 (NOT_FOUND leaves it null).
  return getFragmentData(AccountContactsFieldsFragmentDoc, result.data!.account).name;
}
