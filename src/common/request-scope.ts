import type { Locale } from "../i18n";

/** What the service knows about the GraphQL request being served, for its log line and its metrics. */
export interface RequestScope {
  requestId: string;
  operationName?: string | null;
  operationType?: string;
  /** The caller sent a valid token. */
  signedIn?: boolean;
  /** `extensions.code` of the first error, or OK. */
  outcome?: string;
  userId?: string;
  /** The language errors are answered in, from Accept-Language. */
  locale?: Locale;
}
