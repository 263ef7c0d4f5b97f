import "reflect-metadata";
import { createDataSource } from "./src/database";
import { loadConfig } from "./src/config";

const config = loadConfig();

/** The data source for the TypeORM CLI (`npm run migration:run`, `migration:revert`, `migration:show`). */
export default createDataSource({ databaseUrl: config.databaseUrl, postgres: config.database });
