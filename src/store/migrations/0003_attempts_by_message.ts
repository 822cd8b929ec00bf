import type { SchemaMigration } from "./migration.js";

/** Attempts indexed by message rather than by task. */
export const attemptsByMessage: SchemaMigration = {
  name: "0003_attempts_by_message",
  async up(db) {
    // Message ids are time-ordered, so attempts of a burst land side by side in this index; task ids are
    // random, so the index it replaces took one random page write per attempt. Attempts of a task are found
    // through its messages (messages_task).
    await db.schema.createIndex("attempts_message").on("attempts").columns(["message_id", "id"]).execute();
    await db.schema.dropIndex("attempts_task").execute();
  },
};
