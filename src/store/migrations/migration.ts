import type { Kysely } from "kysely";
import type { Dialect } from "../dialect-sql.js";

/**
 * One step of the schema, written once for both databases with Kysely's schema builder; the few differences
 * (auto-increment ids, triggers) are chosen by `dialect`. Never edit a released migration: add the next one.
 */
export interface SchemaMigration {
  /**
   * What the database records as applied (`kysely_migration.name`), and the file's name: a database that has
   * it never runs the step again, so it never changes. Kysely applies pending steps in the order of the names.
   */
  readonly name: string;
  up(db: Kysely<unknown>, dialect: Dialect): Promise<void>;
}
