/** An instance of an input class holding the given fields, as type-graphql makes one before validating it. */
export function plainToInstance<T extends object>(type: new () => T, fields: Record<string, unknown>): T {
  const instance = Object.assign(new type(), fields);
  return instance;
}
