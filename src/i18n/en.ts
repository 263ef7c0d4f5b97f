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
  "NOT_FOUND.node": "Nothing you can see has that id.",

  "FORBIDDEN.adminOnly": "Only an admin of this account can change it: its settings, members and contacts.",

  "BAD_USER_INPUT.invalidInput": "The input is not valid.",
  "BAD_USER_INPUT.invalidField": "{field} is not valid.",
  "BAD_USER_INPUT.negativeSequence": "afterSequence is a sequence the account has reached: 0 or more.",
  "BAD_USER_INPUT.invalidVariables": "The variables do not fit the operation: {detail}",
  "BAD_USER_INPUT.tooManyIds": {
    plural: "count",
    one: "Ask for at most {count} id at once.",
    other: "Ask for at most {count} ids at once.",
  },
  "BAD_USER_INPUT.invalidCursor": "The cursor in `{field}` is not valid for this list. Start again without it.",
  "BAD_USER_INPUT.firstAndLast": "Give first or last, not both.",
  "BAD_USER_INPUT.pageSize": "{field} must be between 1 and {max}.",
  "BAD_USER_INPUT.nameNotText": "The {field} must be a string.",
  "BAD_USER_INPUT.nameHasControls":
    "The {field} must not contain line breaks, control characters, text direction marks or other invisible characters.",
  "BAD_USER_INPUT.nameEmpty": "The {field} must not be empty.",
  "BAD_USER_INPUT.nameTooLong": {
    plural: "max",
    one: "The {field} must be at most {max} character long.",
    other: "The {field} must be at most {max} characters long.",
  },
  "BAD_USER_INPUT.emailInvalid": "That is not a valid email address.",
  "BAD_USER_INPUT.notABillingContact":
    "That member is not a billing contact after this save, so there is no billing phone or title to set.",
  "BAD_USER_INPUT.languageTagInvalid": "That is not a language tag. Give one such as pl, en-GB or pt-BR (BCP 47).",
  "BAD_USER_INPUT.phoneInvalid": "That is not a valid phone number. Write it with its country code, such as +48 601 234 567.",
  "BAD_USER_INPUT.emailTooLong": "An email address must be at most {max} characters long.",
  "BAD_USER_INPUT.emailNonAscii": "An email address must use only ASCII letters, digits and punctuation before the @.",
  "BAD_USER_INPUT.userOrEmail": "Give either userId or email for the contact, not both and not neither.",
  "BAD_USER_INPUT.memberOnlyRole": "Only {roles} may be someone outside the account. Choose a member for this role.",
  "BAD_USER_INPUT.notOutsideAddress": "That role is not held by an outside address, so there is nothing to verify.",
  "BAD_USER_INPUT.verificationTokenInvalid": "This verification token is not valid or has already been used.",
  "BAD_USER_INPUT.verificationTokenExpired": "This verification token has expired. Ask an admin of the account to send a new one.",
  "BAD_USER_INPUT.duplicateBillingContacts": "billingContactUserIds names the same member more than once.",
  "BAD_USER_INPUT.duplicateBillingContactDetails": "billingContactDetails names the same member more than once.",
  "BAD_USER_INPUT.idempotencyKeyInvalid": "The Idempotency-Key header must be 1 to 255 visible ASCII characters, such as a UUID.",
  "BAD_USER_INPUT.duplicateRoles": "roleContacts names the same role more than once.",
  "BAD_USER_INPUT.clearWithContact": "An entry that clears a role names no userId, email, phone, title or languageTag.",
  "BAD_USER_INPUT.tooManyItems": {
    plural: "max",
    one: "{field} may list at most {max} item.",
    other: "{field} may list at most {max} items.",
  },
  "BAD_USER_INPUT.negativeVersion": "expectedVersion must not be negative.",
  "BAD_USER_INPUT.reassignToSelf": "reassignTo must be another member, not the one being removed.",
  "BAD_USER_INPUT.notAMember": "That user is not a member of this account.",
  "BAD_USER_INPUT.deliveryNotFailed": "Only a FAILED delivery can be sent again; this one is {state}.",
  "BAD_USER_INPUT.verificationNotRequeued": "A verification message is not sent again: ask for a new one with resendContactVerification.",

  "BILLING_CONTACT_LIMIT.limitReached": {
    plural: "limit",
    one: "An account can have at most {limit} billing contact. Remove it before adding another.",
    other: "An account can have at most {limit} billing contacts. Remove one before adding another.",
  },
  "PRIMARY_CONTACT_REQUIRED.removingPrimary":
    "This member is the primary contact. Make someone else the primary contact before removing them.",
  "PRIMARY_CONTACT_REQUIRED.leavingPrimary":
    "You are the account's primary contact. Ask an admin to make someone else the primary contact before you leave.",
  "INVITATION_PENDING.notAccepted":
    "This person has not accepted their invitation to the account yet: they can hold a contact slot once they have.",
  "BAD_USER_INPUT.invitationExpired": "This invitation has expired. Ask an admin of the account to invite you again.",
  "BAD_USER_INPUT.invitationTokenInvalid": "This invitation link is not valid: it was already answered, withdrawn, or sent again.",
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
  "QUERY_TOO_COMPLEX.tooCostly":
    "This query would cost {cost} points and the limit is {maxCost}. Ask for fewer items per page or fewer nested lists.",
  "QUERY_TOO_COMPLEX.tooManySelections":
    "The query's fragments, spread inside one another, make more than {max} selections to cost. Spread each fragment fewer times.",
  "QUERY_TOO_COMPLEX.tooManyVariables": "The query declares more than {max} variables. Send fewer at once.",
  "QUERY_TOO_COMPLEX.repeatedFields":
    "The query names the same fields in the same place too often ({max} pairs at most, counting fragments where they are spread). Name each field once.",
  "TOO_MANY_INTROSPECTIONS.anonymousIntrospection": "Without a token, ask for the schema (__schema or __type) once per request.",
  "QUERY_TOO_LARGE.tooManyTokens": {
    plural: "max",
    one: "The query has more than {max} token. Send a smaller document.",
    other: "The query has more than {max} tokens. Send a smaller document.",
  },
  "BATCHING_NOT_SUPPORTED.batched": "Send one operation per request: batched requests are not supported.",
  "PERSISTED_QUERY_NOT_FOUND.unknownDocument":
    "This server has no trusted document with that id. Send a document from the manifest this server was deployed with.",
  "TRUSTED_DOCUMENT_REQUIRED.notTrusted":
    "This server runs only the trusted documents it was deployed with: send the document's id (documentId) instead of its text.",
  "PAYLOAD_TOO_LARGE.bodyTooLarge": "The request body is too large.",
  "BAD_REQUEST.invalidJson": "The request body is not valid JSON.",
  "GRAPHQL_VALIDATION_FAILED.subscriptionOverHttp": "Subscriptions are served over WebSocket (graphql-ws) at this path, not over HTTP.",
  "GRAPHQL_VALIDATION_FAILED.onlySubscriptionsOverWebSocket":
    "Only subscriptions are served over WebSocket; send queries and mutations over HTTP.",
  "GRAPHQL_VALIDATION_FAILED.unknownOperationType": "This API has no {operation} operations.",
  "IDEMPOTENCY_KEY_REUSED.otherRequest": "This Idempotency-Key was already used for a different request. Use a new key for a new change.",
  "IDEMPOTENCY_KEY_IN_USE.running":
    "A request with this Idempotency-Key has saved a change and is not finished yet. Do not send the change again; reload, or retry in a moment.",
  "RATE_LIMITED.tooManySubscriptions": "This connection already runs {max} subscriptions, the most it may. Complete one first.",
  "RATE_LIMITED.tooManyChanges": "Too many changes: at most {limit} every {window} seconds. Try again in {retryAfter} seconds.",
  "RATE_LIMITED.accountMailCap":
    "This account has sent as many messages as it may in an hour ({limit}). Try again in {retryAfter} seconds.",
  "ADDRESS_DECLINED.declinedAskedAgain": {
    plural: "waitDays",
    one: "The owner of this address said it is not theirs and has already been asked again: an address that declined is asked again at most once every {days} days. Try again in {waitDays} day.",
    other:
      "The owner of this address said it is not theirs and has already been asked again: an address that declined is asked again at most once every {days} days. Try again in {waitDays} days.",
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
  "delivery.failure.UNREACHABLE": "The mail server could not be reached.",
  "delivery.failure.TIMEOUT": "The mail server did not answer in time.",
  "delivery.failure.SIGN_IN_REFUSED": "The mail server refused this service's sign-in.",
  "delivery.failure.RECIPIENT_REFUSED": "The mail server refused the recipient's address.",
  "delivery.failure.MESSAGE_REFUSED": "The mail server refused the message.",
  "delivery.failure.OTHER": "Sending failed; the service's log has the details.",
  "delivery.failure.withCode": "{reason} (SMTP reply {code})",

  "WEBHOOK_URL_REFUSED.invalidUrl": "Give the endpoint's full URL, such as https://hooks.example.com/contact-points.",
  "WEBHOOK_URL_REFUSED.notHttps": "The endpoint's URL must start with https://.",
  "WEBHOOK_URL_REFUSED.hasCredentials": "The endpoint's URL must not hold a user name or password: check the signature instead.",
  "WEBHOOK_URL_REFUSED.unresolvable": "The endpoint's host name does not resolve to an address.",
  "WEBHOOK_URL_REFUSED.internalAddress":
    "The endpoint's host resolves to an internal address (loopback, private network, link-local or similar); webhooks go only to public addresses.",
  "BAD_USER_INPUT.webhookUrlTooLong": "The endpoint's URL must be at most {max} characters long.",
  "BAD_USER_INPUT.webhookNoEventTypes": "Choose at least one kind of change for the endpoint to receive.",
  "BAD_USER_INPUT.webhookDescriptionTooLong": "The description must be at most {max} characters long.",
  "BAD_USER_INPUT.webhookEndpointLimit": "An account can have at most {max} webhook endpoints: remove one first.",
  "BAD_USER_INPUT.webhookCannotDisable": "Only the service disables an endpoint; pause it (PAUSED) instead.",
  "CONTACT_DOMAIN_NOT_ALLOWED.notAllowed":
    "This account accepts outside contact addresses only at the domains its admins listed, and {domain} is not one of them. Give an address at a listed domain, or choose a member.",
  "BAD_USER_INPUT.contactDomainInvalid": "That is not a domain name: give one such as example.com, without @, * or a path.",
  "BAD_USER_INPUT.contactDomainsTooMany": "An account can list at most {max} domains.",
  "webhook.disabledReason": {
    plural: "failures",
    one: "Disabled after {failures} failed delivery attempt ({error}), failing since {since}. Fix the receiver, then set the endpoint ENABLED: it resumes at the event it stopped at.",
    other:
      "Disabled after {failures} failed delivery attempts in a row (the last: {error}), failing since {since}. Fix the receiver, then set the endpoint ENABLED: it resumes at the event it stopped at.",
  },
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
  "mail.verification.ignore":
    "If you do not know this account, ignore this message: until the address is confirmed, it is sent nothing else.",
  "mail.invitation.subject": "You are invited to join the account {account}",
  "mail.invitation.intro": "An admin invites you to join an account as {role}. You become a member only if you accept.",
  "mail.invitation.acceptWithin": {
    plural: "days",
    one: "Accept or decline within {days} day on this page:",
    other: "Accept or decline within {days} days on this page:",
  },
  "mail.invitation.signIn": "Or sign in with this address and accept it there (acceptInvitation).",
  "mail.invitation.ignore":
    "If you do not know this account, ignore this message: you will not become a member, and it sends you nothing else.",
  "mail.label.invitedBy": "Invited by: {email}",
  "role.ADMIN": "an admin",
  "role.MEMBER": "a member",
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
