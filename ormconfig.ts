import "reflect-metadata";
import { createDataSource } from "./src/database";
import { loadConfig } from "./src/config";

/** The data source for the TypeORM CLI (`npm run migration:run`, `migration:revert`, `migration:show`). */
export default createDataSource({ databaseUrl: loadConfig().databaseUrl });
