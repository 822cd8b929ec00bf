import { sql } from "kysely";
import type { SchemaMigration } from "./migration.js";

/** Indexes for the only-once check and the claims, replacing three of 0001's. */
export const hotPathIndexes: SchemaMigration = {
  name: "0002_hot_path_indexes",
  async up(db) {
    // The only-once check looks up one key's newest task by dedupe key.
    await db.schema
      .createIndex("tasks_owner_dedupe")
      .on("tasks")
      .columns(["owner_id", "dedupe_key", "created_at"])
      .execute();
    // Claims scan only queued tasks and pending messages: partial indexes stay small as history grows.
    await db.schema
      .createIndex("tasks_queued")
      .on("tasks")
      .column("run_at")
      .where(sql.ref("action"), "is not", null)
      .execute();
    await db.schema
      .createIndex("messages_pending")
      .on("messages")
      .column("next_at")
      .where(sql.ref("state"), "=", "pending")
      .execute();
    // Replaced: the only-once index above leads with owner_id, the claim uses the partial index.
    await db.schema.dropIndex("tasks_dedupe").execute();
    await db.schema.dropIndex("tasks_queue").execute();
    await db.schema.dropIndex("messages_due").execute();
  },
};
