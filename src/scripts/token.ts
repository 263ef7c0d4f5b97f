import { parseArgs } from "node:util";
import { loadConfig } from "../config";
import { signToken } from "../auth/tokens";
import { normaliseEmail } from "../common/email";

/** Prints a bearer token for an email, signed with the configured AUTH_JWT_SECRET. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { email: { type: "string" }, name: { type: "string" }, expires: { type: "string", default: "12h" } },
  });
  const email = normaliseEmail(values.email ?? "");
  if (!email) {
    console.error("Usage: npm run token -- --email someone@example.com [--name 'Their Name'] [--expires 12h]");
    process.exit(2);
  }
  const config = loadConfig();
  console.log(await signToken(config.jwtSecret, { email, name: values.name ?? null }, values.expires));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
