import type { SchemaMigration } from "./migration.js";

/** Failure simulation settings on keys and messages. */
export const simulation: SchemaMigration = {
  name: "0007_simulation",
  async up(db) {
    // Failure simulation (src/simulation): a key's standing setting, and what a message must simulate when
    // it is sent (a bad signature, deliveries still to repeat), both in their text / JSON forms.
    await db.schema.alterTable("api_keys").addColumn("simulate", "text").execute();
    await db.schema.alterTable("messages").addColumn("simulate", "text").execute();
  },
};
