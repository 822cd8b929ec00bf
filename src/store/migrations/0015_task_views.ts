import type { SchemaMigration } from "./migration.js";

/** What the console's task views read: when a run started, and the indexes their filters and live updates use. */
export const taskViews: SchemaMigration = {
  name: "0015_task_views",
  async up(db) {
    // Set at each claim: the timeline's "started" (created_at is when it was asked for, not when work began).
    await db.schema.alterTable("tasks").addColumn("started_at", "bigint").execute();
    // The event stream asks for one key's tasks changed since its last look.
    await db.schema
      .createIndex("tasks_owner_updated")
      .on("tasks")
      .columns(["owner_id", "updated_at"])
      .execute();
    // A search by audio id finds the track's music task and every task made from it (WAV, covers).
    await db.schema.createIndex("tasks_parent").on("tasks").columns(["parent_id", "owner_id"]).execute();
    // The receivers view reads the last day of attempts; ids are not a time, so a time index.
    await db.schema.createIndex("attempts_started").on("attempts").column("started_at").execute();
  },
};
