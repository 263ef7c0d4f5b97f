import { ValidateBy, type ValidationArguments, type ValidationOptions } from "class-validator";
import { badInput, DomainError } from "../errors";
import { message, type Message } from "../i18n";

/*
 * Global object identification: every object a client may cache has an id that names its type and
 * its key, so `node(id:)` can find it again. Ids are opaque to clients (base64url of "Type:key"):
 * they never parse them, and the service refuses an id of one type where another is expected.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ROW_ID = /^[1-9][0-9]{0,9}$/;
const ROLE = /^[A-Z][A-Z_]{0,31}$/;

/** Each Node type and the shape of its key's parts. */
const KEYS = {
  Account: [UUID],
  ContactVerification: [UUID, ROLE],
  User: [UUID],
  AccountMember: [UUID, UUID],
  ContactRole: [UUID, ROLE],
  ContactChange: [ROW_ID],
  NotificationDelivery: [ROW_ID],
  AccountSettingChange: [ROW_ID],
  MemberChange: [ROW_ID],
  AccountInvitation: [ROW_ID],
  WebhookEndpoint: [ROW_ID],
  WebhookDelivery: [ROW_ID],
} as const;

export type NodeTypeName = keyof typeof KEYS;

export const NODE_TYPE_NAMES = Object.keys(KEYS) as NodeTypeName[];

/** The global id of the object of `type` whose key is `key`. */
export function globalId(type: NodeTypeName, ...key: (string | number)[]): string {
  return Buffer.from(`${type}:${key.join(":")}`, "utf8").toString("base64url");
}

/** The type and key an id names, or null when it is not an id this service issued. */
export function decodeGlobalId(id: string): { type: NodeTypeName; key: string[] } | null {
  if (id.length === 0 || id.length > 160 || !/^[A-Za-z0-9_-]+$/.test(id)) return null;
  const [type, ...key] = Buffer.from(id, "base64url").toString("utf8").split(":");
  if (!type || !Object.hasOwn(KEYS, type)) return null;
  const shape = KEYS[type as NodeTypeName];
  if (key.length !== shape.length || key.some((part, index) => !shape[index]!.test(part))) return null;
  // base64url has more than one spelling of some byte strings; only the one issued here is an id.
  if (globalId(type as NodeTypeName, ...key) !== id) return null;
  return { type: type as NodeTypeName, key };
}

/**
 * What an id that is not an id of `type` is told: exactly what a well-formed id that names nothing is
 * told in the same place, so a client handles both alike. A `User` id in an input names someone who
 * must be a member (BAD_USER_INPUT, "not a member"); any other id names an object (NOT_FOUND).
 */
export function noSuchObject(type: NodeTypeName): Message {
  if (type === "User") return message("BAD_USER_INPUT.notAMember");
  return type === "Account" ? message("NOT_FOUND.account") : message("NOT_FOUND.object", { type });
}

/** The key of an id that must name an object of `type`; anything else is refused on `field` as an id of nothing is (noSuchObject). */
export function parseGlobalId(id: string, type: NodeTypeName, field: string): string[] {
  const decoded = decodeGlobalId(id);
  if (!decoded || decoded.type !== type) {
    if (type === "User") throw badInput("BAD_USER_INPUT.notAMember", {}, field);
    throw new DomainError(type === "Account" ? "NOT_FOUND.account" : "NOT_FOUND.object", { type }, {}, [
      { field, message: noSuchObject(type) },
    ]);
  }
  return decoded.key;
}

/** The row id a global id names, for the types whose key is one id (Account, User): NOT_FOUND on `field` otherwise. */
export function rowIdOf(id: string, type: "Account" | "User", field: string): string {
  return parseGlobalId(id, type, field)[0]!;
}

/** Validates an input field (or, with `each: true`, every item of a list) as a global id of `type`. */
export function IsGlobalId(type: NodeTypeName, validationOptions?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: "isGlobalId",
      constraints: [type],
      validator: {
        validate: (value: unknown) => typeof value === "string" && decodeGlobalId(value)?.type === type,
        defaultMessage: (args?: ValidationArguments) => `The value of ${args?.property ?? "id"} is not a ${type} id`,
      },
    },
    // `namesNothing`: the formatter answers NOT_FOUND when every refusal of the input is such an id.
    { ...validationOptions, context: { describe: () => noSuchObject(type), namesNothing: type !== "User" } },
  );
}
