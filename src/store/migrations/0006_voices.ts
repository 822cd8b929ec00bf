import type { SchemaMigration } from "./migration.js";

/** The voice family's table (issue 4). */
export const voices: SchemaMigration = {
  name: "0006_voices",
  async up(db) {
    await db.schema
      .createTable("voices")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("owner_id", "text", (c) => c.notNull())
      .addColumn("name", "text")
      .addColumn("description", "text")
      .addColumn("style", "text")
      .addColumn("skill_level", "text", (c) => c.notNull())
      .addColumn("source_task_id", "text", (c) => c.notNull())
      .addColumn("generate_task_id", "text", (c) => c.notNull())
      .addColumn("embedding", "text", (c) => c.notNull())
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .addColumn("deleted_at", "bigint")
      .execute();
    await db.schema.createIndex("voices_owner").on("voices").columns(["owner_id", "created_at"]).execute();
    await db.schema.createIndex("voices_source").on("voices").columns(["source_task_id"]).execute();
    await db.schema.createIndex("voices_generate").on("voices").columns(["generate_task_id"]).execute();
  },
};
