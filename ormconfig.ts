import "reflect-metadata";
import { createDataSource } from "./src/database";
import { loadDatabaseSettings } from "./src/config";

/** The data source for the TypeORM CLI (`npm run migration:run`, `migration:revert`, `migration:show`): DATABASE_URL and the PostgreSQL settings only. */
export default createDataSource(loadDatabaseSettings());
