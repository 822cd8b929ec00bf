import type { SchemaMigration } from "./migration.js";

/** The web console's sessions and one-time sign-in links (src/console). */
export const consoleSessions: SchemaMigration = {
  name: "0014_console_sessions",
  async up(db) {
    // The cookie's token is stored hashed, as API keys are: a copy of the table signs nobody in.
    await db.schema
      .createTable("console_sessions")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("kind", "text", (c) => c.notNull())
      .addColumn("key_id", "text")
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .addColumn("expires_at", "bigint", (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex("console_sessions_expiry")
      .on("console_sessions")
      .column("expires_at")
      .execute();
  },
};
