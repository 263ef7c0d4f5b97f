// The migration commands run the built dist/: rebuilt from the sources in development, used as deployed
// in production, where the compiler (a development dependency) is usually not installed.
import { existsSync } from "node:fs";
import { spawnSync } from "node:child_process";

if (process.env.NODE_ENV !== "production" && existsSync("node_modules/.bin/tsc")) {
  const build = spawnSync("npm", ["run", "build", "--silent"], { stdio: "inherit", shell: process.platform === "win32" });
  process.exit(build.status ?? 1);
}
if (!existsSync("dist/ormconfig.js")) {
  console.error(
    "dist/ormconfig.js is missing: build with `npm run build` where the development dependencies are installed, and deploy dist/ with the code.",
  );
  process.exit(1);
}
