import { sql } from "kysely";
import type { SchemaMigration } from "./migration.js";

/** Fair queueing tags on tasks and the indexes that claim by them (issue 9). */
export const fairClaims: SchemaMigration = {
  name: "0009_fair_claims",
  async up(db) {
    // Start-time fair queueing: a task's fair_tag is max(the lowest tag still queued, its key's highest queued
    // tag + 1), and claims take the lowest tag first. One key's backlog holds tags far ahead, so another key's
    // new task is claimed next, whatever the arrival order (see tasks/queue.ts).
    await db.schema
      .alterTable("tasks")
      .addColumn("fair_tag", "bigint", (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .createIndex("tasks_fair")
      .on("tasks")
      .columns(["fair_tag", "run_at"])
      .where(sql.ref("action"), "is not", null)
      .execute();
    await db.schema
      .createIndex("tasks_owner_fair")
      .on("tasks")
      .columns(["owner_id", "fair_tag"])
      .where(sql.ref("action"), "is not", null)
      .execute();
    await db.schema.dropIndex("tasks_queued").execute();
  },
};
