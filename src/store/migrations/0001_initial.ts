import type { SchemaMigration } from "./migration.js";

/** The first schema: API keys, files, tasks, tracks, messages, attempts and settings. */
export const initial: SchemaMigration = {
  name: "0001_initial",
  async up(db, dialect) {
    // attempts.id, the one auto-increment id: bigserial on PostgreSQL, an integer primary key (the rowid) on SQLite.
    const serial = dialect === "postgres" ? "bigserial" : "integer";
    await db.schema
      .createTable("api_keys")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("key_hash", "text", (c) => c.notNull().unique())
      .addColumn("key_hint", "text", (c) => c.notNull())
      .addColumn("webhook_key", "text", (c) => c.notNull())
      .addColumn("previous_webhook_key", "text")
      .addColumn("previous_key_until", "bigint")
      .addColumn("hmac_enabled", "integer", (c) => c.notNull().defaultTo(1))
      .addColumn("credits", "bigint")
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .addColumn("revoked_at", "bigint")
      .execute();

    await db.schema
      .createTable("files")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("owner_id", "text", (c) => c.notNull())
      .addColumn("path", "text", (c) => c.notNull())
      .addColumn("file_name", "text", (c) => c.notNull())
      .addColumn("storage_key", "text", (c) => c.notNull())
      .addColumn("size", "bigint", (c) => c.notNull())
      .addColumn("mime_type", "text", (c) => c.notNull())
      .addColumn("kind", "text", (c) => c.notNull())
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .addColumn("expires_at", "bigint")
      .addColumn("superseded_at", "bigint")
      .addColumn("deleted_at", "bigint")
      .addColumn("expired_at", "bigint")
      .execute();
    await db.schema.createIndex("files_owner_path").on("files").columns(["owner_id", "path"]).execute();
    await db.schema.createIndex("files_expiry").on("files").columns(["expires_at"]).execute();

    await db.schema
      .createTable("tasks")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("owner_id", "text", (c) => c.notNull())
      .addColumn("family", "text", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("action", "text")
      .addColumn("input", "text", (c) => c.notNull())
      .addColumn("result", "text")
      .addColumn("error_code", "integer")
      .addColumn("error_message", "text")
      .addColumn("callback_url", "text")
      .addColumn("parent_id", "text")
      .addColumn("dedupe_key", "text")
      .addColumn("run_at", "bigint", (c) => c.notNull())
      .addColumn("lease_owner", "text")
      .addColumn("lease_until", "bigint")
      .addColumn("runs", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .addColumn("updated_at", "bigint", (c) => c.notNull())
      .addColumn("completed_at", "bigint")
      .execute();
    // The claim scans queued work by due time; finished tasks have action null and stay out of it.
    await db.schema.createIndex("tasks_queue").on("tasks").columns(["action", "run_at"]).execute();
    await db.schema.createIndex("tasks_owner").on("tasks").columns(["owner_id", "created_at"]).execute();
    await db.schema.createIndex("tasks_dedupe").on("tasks").columns(["dedupe_key"]).execute();

    await db.schema
      .createTable("tracks")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("task_id", "text", (c) => c.notNull())
      .addColumn("owner_id", "text", (c) => c.notNull())
      .addColumn("file_id", "text", (c) => c.notNull())
      .addColumn("title", "text")
      .addColumn("duration_s", "double precision", (c) => c.notNull())
      .addColumn("sample_rate", "integer", (c) => c.notNull())
      .addColumn("channels", "integer", (c) => c.notNull())
      .addColumn("codec", "text", (c) => c.notNull())
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("tracks_task").on("tracks").columns(["task_id"]).execute();

    await db.schema
      .createTable("messages")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("task_id", "text", (c) => c.notNull())
      .addColumn("owner_id", "text", (c) => c.notNull())
      .addColumn("event", "text", (c) => c.notNull())
      .addColumn("url", "text", (c) => c.notNull())
      .addColumn("body", "text", (c) => c.notNull())
      .addColumn("sign_task_id", "text", (c) => c.notNull())
      .addColumn("state", "text", (c) => c.notNull())
      .addColumn("round_attempts", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("total_attempts", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("next_at", "bigint", (c) => c.notNull())
      .addColumn("lease_owner", "text")
      .addColumn("lease_until", "bigint")
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .addColumn("delivered_at", "bigint")
      .execute();
    await db.schema.createIndex("messages_due").on("messages").columns(["state", "next_at"]).execute();
    await db.schema.createIndex("messages_task").on("messages").columns(["task_id", "created_at"]).execute();

    await db.schema
      .createTable("attempts")
      // bigserial already counts on PostgreSQL, which has no AUTO_INCREMENT keyword.
      .addColumn("id", serial, (c) =>
        dialect === "postgres" ? c.primaryKey() : c.primaryKey().autoIncrement(),
      )
      .addColumn("message_id", "text", (c) => c.notNull())
      .addColumn("task_id", "text", (c) => c.notNull())
      .addColumn("number", "integer", (c) => c.notNull())
      .addColumn("trigger", "text", (c) => c.notNull())
      .addColumn("started_at", "bigint", (c) => c.notNull())
      .addColumn("latency_ms", "integer", (c) => c.notNull())
      .addColumn("status_code", "integer")
      .addColumn("error_class", "text")
      .addColumn("error_message", "text")
      .addColumn("response_excerpt", "text")
      .addColumn("outcome", "text", (c) => c.notNull())
      .addColumn("next_at", "bigint")
      .execute();
    await db.schema.createIndex("attempts_task").on("attempts").columns(["task_id", "id"]).execute();

    await db.schema
      .createTable("settings")
      .addColumn("key", "text", (c) => c.primaryKey())
      .addColumn("value", "text", (c) => c.notNull())
      .execute();
  },
};
