// A small typed GraphQL client over fetch: the document's type says what the variables must be and
// what the data will be. Any client that accepts a TypedDocumentNode (Apollo Client, urql,
// graphql-request) does the same with the documents in ./gql.
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { print } from "graphql";
import type { ErrorCode } from "./gql/error-codes";

/** A field of the input that was refused, with a sentence to show next to it. */
export interface InvalidField {
  /** The path from the operation: `input.userId`, `input.roleContacts.0.email`, `first`. */
  field: string;
  message: string;
}

/** One error as this API sends it: `message` can be shown as it is, `extensions.code` says what to do. */
export interface ApiError {
  message: string;
  path?: (string | number)[];
  extensions?: {
    code?: string;
    /** On every BAD_USER_INPUT, at least one entry. */
    invalidFields?: InvalidField[];
  };
}

export interface Result<TData> {
  /** Null only when the request failed as a whole; a nullable root field can be null beside an error. */
  data: TData | null;
  errors: ApiError[];
}

export interface ClientOptions {
  url: string;
  /** The bearer token of the signed-in user, or null (verifyContactEmail needs none). */
  token: () => string | null;
}

export class Client {
  constructor(private readonly options: ClientOptions) {}

  async request<TData, TVariables extends Record<string, unknown>>(
    document: TypedDocumentNode<TData, TVariables>,
    variables: TVariables,
  ): Promise<Result<TData>> {
    const headers: Record<string, string> = { "content-type": "application/json" };
    const token = this.options.token();
    if (token) headers.authorization = `Bearer ${token}`;
    const response = await fetch(this.options.url, {
      method: "POST",
      headers,
      body: JSON.stringify({ query: print(document), variables }),
    });
    const body = (await response.json()) as { data?: TData | null; errors?: ApiError[] };
    return { data: body.data ?? null, errors: body.errors ?? [] };
  }
}

/** The errors of one code, e.g. `errorsWithCode(result, "NOT_FOUND")`. */
export function errorsWithCode(result: Result<unknown>, code: ErrorCode): ApiError[] {
  return result.errors.filter((error) => error.extensions?.code === code);
}

/**
 * The messages of a refused form, by input field without the `input.` prefix (`userId`,
 * `roleContacts.0.email`): what to show next to each field.
 */
export function fieldMessages(result: Result<unknown>): Map<string, string> {
  const messages = new Map<string, string>();
  for (const error of errorsWithCode(result, "BAD_USER_INPUT")) {
    for (const { field, message } of error.extensions?.invalidFields ?? []) {
      messages.set(field.replace(/^input\./, ""), message);
    }
  }
  return messages;
}
