import "reflect-metadata";
import { createSchema, SCHEMA_FILE } from "../schema";

/** Writes schema.graphql from the resolver classes. */
createSchema({ emitTo: SCHEMA_FILE })
  .then(() => console.log(`Wrote ${SCHEMA_FILE}`))
  .catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
