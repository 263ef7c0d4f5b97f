/*
 * Every text the service sends in English: error messages (keyed `CODE.case`, the code being the
 * error's `extensions.code`), mail, and the help GraphiQL shows. pl.ts has the same keys, which the
 * compiler checks. `{name}` is a parameter; an object with `plural` has a form per plural category.
 */
export const en = {
  "UNAUTHENTICATED.missingToken": "Sign in: send an Authorization: Bearer token with the request.",
  "UNAUTHENTICATED.malformedHeader": "The Authorization header must be `Bearer <token>`. Sign in again to get a new one.",
  "UNAUTHENTICATED.tokenExpired": "The token has expired. Sign in again to get a new one.",
  "UNAUTHENTICATED.tokenWithoutExpiry": "The token must carry an expiry time (exp). Sign in again to get a new one.",
  "UNAUTHENTICATED.tokenWrongIssuer": "The token was issued by another issuer than this server accepts. Sign in again to get a new one.",
  "UNAUTHENTICATED.tokenWrongAudience": "The token is meant for another audience than this server. Sign in again to get a new one.",
  "UNAUTHENTICATED.tokenNotYetValid": "The token is not valid yet. Sign in again to get a new one.",
  "UNAUTHENTICATED.tokenInvalid": "The token is not valid. Sign in again to get a new one.",
  "UNAUTHENTICATED.tokenFromTheFuture": "The token was issued in the future. Sign in again to get a new one.",
  "UNAUTHENTICATED.tokenLivesTooLong": "The token stays valid for longer than this server accepts. Sign in again to get a new one.",
  "UNAUTHENTICATED.tokenWithoutEmail": "The token has no valid email claim. Sign in again to get a new one.",

  "NOT_FOUND.account": "No account with that id exists, or you are not a member of it.",
  "NOT_FOUND.object": "No {type} with that id exists, or you are not a member of its account.",

  "FORBIDDEN.adminOnly": "Only an admin of this account can change it: its settings, members and contacts.",

  "BAD_USER_INPUT.invalidInput": "The input is not valid.",
  "BAD_USER_INPUT.invalidField": "{field} is not valid.",
  "BAD_USER_INPUT.invalidVariables": "The variables do not fit the operation: {detail}",
  "BAD_USER_INPUT.invalidId": "{field} is not a valid id.",
  "BAD_USER_INPUT.invalidTypedId": "{field} is not a valid {type} id.",
  "BAD_USER_INPUT.tooManyIds": {
    plural: "count",
    one: "Ask for at most {count} id at once.",
    other: "Ask for at most {count} ids at once.",
  },
  "BAD_USER_INPUT.invalidCursor": "The cursor in `{field}` is not valid for this list. Start again without it.",
  "BAD_USER_INPUT.firstAndLast": "Give first or last, not both.",
  "BAD_USER_INPUT.pageSize": "{field} must be between 1 and {max}.",
  "BAD_USER_INPUT.nameNotText": "The {field} must be a string.",
  "BAD_USER_INPUT.nameHasControls": "The {field} must not contain line breaks, control characters or text direction controls.",
  "BAD_USER_INPUT.nameEmpty": "The {field} must not be empty.",
  "BAD_USER_INPUT.nameTooLong": {
    plural: "max",
    one: "The {field} must be at most {max} character long.",
    other: "The {field} must be at most {max} characters long.",
  },
  "BAD_USER_INPUT.emailInvalid": "That is not a valid email address.",
  "BAD_USER_INPUT.emailTooLong": "An email address must be at most {max} characters long.",
  "BAD_USER_INPUT.emailNonAscii": "An email address must use only ASCII letters, digits and punctuation before the @.",
  "BAD_USER_INPUT.userOrEmail": "Give either userId or email for the contact, not both and not neither.",
  "BAD_USER_INPUT.memberOnlyRole": "Only {roles} may be someone outside the account. Choose a member for this role.",
  "BAD_USER_INPUT.notOutsideAddress": "That role is not held by an outside address, so there is nothing to verify.",
  "BAD_USER_INPUT.verificationTokenInvalid": "This verification token is not valid or has already been used.",
  "BAD_USER_INPUT.verificationTokenExpired": "This verification token has expired. Ask an admin of the account to send a new one.",
  "BAD_USER_INPUT.verificationDeclined": "The owner of this address said it is not theirs, so nothing more is sent to it. Set the contact again to ask anew.",
  "BAD_USER_INPUT.duplicateBillingContacts": "billingContactUserIds names the same member more than once.",
  "BAD_USER_INPUT.duplicateRoles": "roleContacts names the same role more than once.",
  "BAD_USER_INPUT.tooManyItems": {
    plural: "max",
    one: "{field} may list at most {max} item.",
    other: "{field} may list at most {max} items.",
  },
  "BAD_USER_INPUT.negativeVersion": "expectedVersion must not be negative.",
  "BAD_USER_INPUT.reassignToSelf": "reassignTo must be another member, not the one being removed.",
  "BAD_USER_INPUT.notAMember": "That user is not a member of this account.",

  "BILLING_CONTACT_LIMIT.limitReached": {
    plural: "limit",
    one: "An account can have at most {limit} billing contact. Remove it before adding another.",
    other: "An account can have at most {limit} billing contacts. Remove one before adding another.",
  },
  "PRIMARY_CONTACT_REQUIRED.removingPrimary": "This member is the primary contact. Make someone else the primary contact before removing them.",
  "PRIMARY_CONTACT_REQUIRED.leavingPrimary": "You are the account's primary contact. Ask an admin to make someone else the primary contact before you leave.",
  "LAST_ADMIN.lastAdmin": "An account needs at least one admin. Make another member an admin first.",
  "VERSION_CONFLICT.staleVersion": "Someone else changed this account's contacts since you loaded them. Reload and try again.",

  "SERVICE_UNAVAILABLE.writeFailed": "Nothing was saved: the database cannot store changes right now. Try again in a moment.",
  "SERVICE_UNAVAILABLE.readFailed": "The database did not answer. Try again in a moment.",
  "INTERNAL_SERVER_ERROR.unexpected": "Something went wrong on our side. Please try again.",

  "QUERY_TOO_DEEP.tooDeep": {
    plural: "max",
    one: "The query is nested more than {max} level deep. Ask for less at once.",
    other: "The query is nested more than {max} levels deep. Ask for less at once.",
  },
  "TOO_MANY_ALIASES.tooManyAliases": {
    plural: "max",
    one: "The query uses more than {max} alias. Split it into several requests.",
    other: "The query uses more than {max} aliases. Split it into several requests.",
  },
  "TOO_MANY_DIRECTIVES.tooManyDirectives": {
    plural: "max",
    one: "The query uses more than {max} directive.",
    other: "The query uses more than {max} directives.",
  },
  "QUERY_TOO_COMPLEX.tooCostly": "This query would cost {cost} points and the limit is {maxCost}. Ask for fewer items per page or fewer nested lists.",
  "QUERY_TOO_COMPLEX.tooManySelections":
    "The query's fragments, spread inside one another, make more than {max} selections to cost. Spread each fragment fewer times.",
  "TOO_MANY_INTROSPECTIONS.anonymousIntrospection": "Without a token, ask for the schema (__schema or __type) once per request.",
  "QUERY_TOO_LARGE.tooManyTokens": {
    plural: "max",
    one: "The query has more than {max} token. Send a smaller document.",
    other: "The query has more than {max} tokens. Send a smaller document.",
  },
  "BATCHING_NOT_SUPPORTED.batched": "Send one operation per request: batched requests are not supported.",
  "PAYLOAD_TOO_LARGE.bodyTooLarge": "The request body is too large.",
  "BAD_REQUEST.invalidJson": "The request body is not valid JSON.",
  "GRAPHQL_VALIDATION_FAILED.unknownOperationType": "This API has no {operation} operations.",
  "RATE_LIMITED.tooManyChanges": "Too many changes: at most {limit} every {window} seconds. Try again in {retryAfter} seconds.",
  "RATE_LIMITED.accountMailCap": "This account has sent as many messages as it may in an hour ({limit}). Try again in {retryAfter} seconds.",
  "RATE_LIMITED.declinedAskedAgain": {
    plural: "waitDays",
    one: "The owner of this address said it is not theirs and has already been asked again: an address that declined is asked again at most once every {days} days. Try again in {waitDays} day.",
    other: "The owner of this address said it is not theirs and has already been asked again: an address that declined is asked again at most once every {days} days. Try again in {waitDays} days.",
  },
  "RATE_LIMITED.addressVerificationCap":
    "That address has been sent as many confirmation requests as it may be in a day ({limit}). Try again in {retryAfter} seconds.",

  "changeSaved.readBackFailed": "The change was saved, but reading it back failed: reload instead of sending it again. ({message})",

  "category.INVOICE": "invoices",
  "category.RECEIPT": "receipts",
  "category.ORDER": "orders",
  "category.RENEWAL": "renewals",
  "category.ACCOUNT_UPDATE": "account updates",
  "category.SECURITY": "security",
  "category.TECHNICAL": "technical",
  "category.IMPLEMENTATION": "implementation",
  "slot.PRIMARY": "primary account contact",
  "slot.BILLING": "billing contact",

  "mail.verification.subject": "Confirm that you are the {title} for the account {account}",
  "mail.verification.intro": "An admin of an account named your address as its {title}. Please confirm that this is right.",
  "mail.verification.confirmWithin": {
    plural: "days",
    one: "Confirm it, or tell us it is not you, within {days} day on this page:",
    other: "Confirm it, or tell us it is not you, within {days} days on this page:",
  },
  "mail.verification.tokenHint": "Or with this token (the token of the verifyContactEmail mutation; no sign-in is needed):",
  "mail.verification.ignore": "If you do not know this account, ignore this message: until the address is confirmed, it is sent nothing else.",
  "mail.label.accountName": "Account name: {account}",
  "mail.label.askedBy": "Asked by: {email}",
  "mail.label.yourAddress": "Your address: {email}",
  "mail.label.sentBy": "Sent by: {email}",
  "mail.label.category": "Category: {category}",
  "mail.test.subject": "Test notification ({category}) for the account {account}",
  "mail.test.intro": "This is a test message: nothing needs doing.",
  "mail.test.reasons": "You receive it as the account's: {reasons}",

  "graphiql.welcome": "Welcome to contact-points.",
  "graphiql.demoToken":
    "The Headers tab below holds a token for the\ndemo admin, {email}.\nPress the run button (or Ctrl-Enter) to load\ntheir accounts, with each account's contacts\nand members.\nDocs (top left) describes every field.",
  "graphiql.noToken":
    'Every request needs a bearer token: open the\nHeaders tab below and add\n  { "Authorization": "Bearer <token>" }\nthen press the run button (or Ctrl-Enter).\nWhoever runs this server can print one with\n  npm run token -- --email you@example.com',
} as const;

export type MessageKey = keyof typeof en;
