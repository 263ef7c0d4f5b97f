import { parseArgs } from "node:util";
import { ConfigError, durationSeconds, loadConfig } from "../config";
import { signToken } from "../auth/tokens";
import { normaliseEmail } from "../common/email";

/** How long a printed token lasts unless --expires says otherwise (never beyond AUTH_JWT_MAX_LIFETIME). */
const DEFAULT_LIFETIME_SECONDS = 12 * 3600;

const USAGE = "Usage: npm run token -- --email someone@example.com [--name 'Their Name'] [--expires 12h]";

/** Prints a bearer token for an email that this server's settings accept: its secret, lifetime cap, issuer and audience. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { email: { type: "string" }, name: { type: "string" }, expires: { type: "string" } },
  });
  const email = normaliseEmail(values.email ?? "");
  if (!email) {
    console.error(USAGE);
    process.exit(2);
  }
  const config = loadConfig();
  let lifetime = Math.min(DEFAULT_LIFETIME_SECONDS, config.jwtMaxLifetimeSeconds);
  if (values.expires !== undefined) {
    try {
      lifetime = durationSeconds("--expires", values.expires, 1, config.jwtMaxLifetimeSeconds);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      console.error(`${error.message} The server refuses tokens that live longer than AUTH_JWT_MAX_LIFETIME.`);
      process.exit(2);
    }
  }
  const audience = { issuer: config.jwtIssuer, audience: config.jwtAudience };
  console.log(await signToken(config.jwtSecret, { email, name: values.name ?? null }, `${lifetime}s`, audience));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
