import type { SchemaMigration } from "./migration.js";

/**
 * Callbacks forwarded through the callback stream (`hookline listen --remote`): an attempt may name where it went
 * (`target`, the developer's forward URL; null for attempts to the message's own URL), and a stream reads a key's
 * new messages by `(owner_id, created_at)` once a second, which no index served before.
 */
export const streamAttempts: SchemaMigration = {
  name: "0017_stream_attempts",
  async up(db) {
    await db.schema.alterTable("attempts").addColumn("target", "text").execute();
    await db.schema
      .createIndex("messages_owner_created")
      .on("messages")
      .columns(["owner_id", "created_at"])
      .execute();
  },
};
