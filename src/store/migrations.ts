import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from "kysely";
import type { Dialect } from "./dialect-sql.js";

/**
 * Migrations are code, written once for both databases with Kysely's schema builder; the few type differences
 * (auto-increment ids) are chosen by dialect. Never edit a released migration: add the next one.
 */
function migrations(dialect: Dialect): Record<string, Migration> {
  const serial = dialect === "postgres" ? "bigserial" : "integer";
  return {
    "0001_initial": {
      async up(db: Kysely<unknown>) {
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
        await db.schema
          .createIndex("messages_task")
          .on("messages")
          .columns(["task_id", "created_at"])
          .execute();

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
    },
    "0002_hot_path_indexes": {
      async up(db: Kysely<unknown>) {
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
    },
    "0003_attempts_by_message": {
      async up(db: Kysely<unknown>) {
        // Message ids are time-ordered, so attempts of a burst land side by side in this index; task ids are
        // random, so the index it replaces took one random page write per attempt. Attempts of a task are found
        // through its messages (messages_task).
        await db.schema
          .createIndex("attempts_message")
          .on("attempts")
          .columns(["message_id", "id"])
          .execute();
        await db.schema.dropIndex("attempts_task").execute();
      },
    },
    "0004_key_generation": {
      async up(db: Kysely<unknown>) {
        // A counter that every change to an API key moves on, by trigger, whoever writes (this process, the
        // CLI, another process, an operator's SQL): the key cache of a server compares it on each request.
        await db.schema
          .createTable("key_generation")
          .addColumn("id", "integer", (c) => c.primaryKey())
          .addColumn("n", "bigint", (c) => c.notNull())
          .execute();
        await sql`insert into key_generation (id, n) values (1, 0)`.execute(db);
        if (dialect === "postgres") {
          await sql`create function hookline_key_changed() returns trigger language plpgsql as $$
            begin update key_generation set n = n + 1 where id = 1; return null; end $$`.execute(db);
          await sql`create trigger api_keys_changed after update or delete on api_keys
            for each statement execute function hookline_key_changed()`.execute(db);
        } else {
          for (const event of ["update", "delete"]) {
            await sql`create trigger ${sql.raw(`api_keys_${event}d`)} after ${sql.raw(event)} on api_keys
              begin update key_generation set n = n + 1 where id = 1; end`.execute(db);
          }
        }
      },
    },
    "0005_wav_dedupe_by_track": {
      async up(db: Kysely<unknown>) {
        // The WAV family's only-once key became `wav:<track's music task id>/<audioId>` (see families/wav): the
        // earlier `wav:<audioId>` keys are rewritten, so that tasks made before still block a second conversion.
        await sql`update tasks set dedupe_key = 'wav:' || parent_id || '/' || substr(dedupe_key, 5)
          where family = 'wav' and parent_id is not null and dedupe_key like 'wav:%'
            and dedupe_key not like 'wav:%/%'`.execute(db);
      },
    },
    // --- voice family (issue 4) ---
    "0006_voices": {
      async up(db: Kysely<unknown>) {
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
        await db.schema
          .createIndex("voices_owner")
          .on("voices")
          .columns(["owner_id", "created_at"])
          .execute();
        await db.schema.createIndex("voices_source").on("voices").columns(["source_task_id"]).execute();
        await db.schema.createIndex("voices_generate").on("voices").columns(["generate_task_id"]).execute();
      },
    },
    "0007_simulation": {
      async up(db: Kysely<unknown>) {
        // Failure simulation (src/simulation): a key's standing setting, and what a message must simulate when
        // it is sent (a bad signature, deliveries still to repeat), both in their text / JSON forms.
        await db.schema.alterTable("api_keys").addColumn("simulate", "text").execute();
        await db.schema.alterTable("messages").addColumn("simulate", "text").execute();
      },
    },
    // --- hardening (issue 9) ---
    "0008_only_once": {
      async up(db: Kysely<unknown>) {
        // The task that holds an only-once slot (one WAV per track, one cover per music task) carries its key in
        // standing_key; a unique index makes a second holder impossible, whichever process inserts it. The slot
        // is handed on, never shared: a submission that finds a holder no longer standing (failed, file expired)
        // clears the holder's key in its own transaction before inserting.
        await db.schema.alterTable("tasks").addColumn("standing_key", "text").execute();
        await sql`update tasks set standing_key = dedupe_key where id in (
            select id from (
              select id, row_number() over (partition by owner_id, dedupe_key order by created_at desc, id desc) as n
              from tasks where dedupe_key is not null
            ) ranked where n = 1)`.execute(db);
        await db.schema
          .createIndex("tasks_standing")
          .on("tasks")
          .columns(["owner_id", "standing_key"])
          .unique()
          .where(sql.ref("standing_key"), "is not", null)
          .execute();
        // Replaced: the only-once check reads the holder by this index, not the newest task of a key.
        await db.schema.dropIndex("tasks_owner_dedupe").execute();
      },
    },
    "0009_fair_claims": {
      async up(db: Kysely<unknown>) {
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
    },
    "0010_storage_usage": {
      async up(db: Kysely<unknown>) {
        // Each key's stored bytes, kept up to date in the transactions that change them (src/quota), and the
        // predicted output a queued task holds against it until it completes.
        await db.schema
          .createTable("storage_usage")
          .addColumn("owner_id", "text", (c) => c.primaryKey())
          .addColumn("bytes", "bigint", (c) => c.notNull())
          .execute();
        await db.schema
          .alterTable("tasks")
          .addColumn("reserved_bytes", "bigint", (c) => c.notNull().defaultTo(0))
          .execute();
        // The blob reconciler looks file rows up by storage key.
        await db.schema.createIndex("files_storage_key").on("files").column("storage_key").execute();
        await sql`insert into storage_usage (owner_id, bytes)
          select owner_id, sum(size) from files where deleted_at is null and expired_at is null
          group by owner_id`.execute(db);
      },
    },
    "0011_rate_limits": {
      async up(db: Kysely<unknown>) {
        // Requests per key, bucket and minute (src/rates), shared by every process; and a key's own limit.
        await db.schema
          .createTable("rate_counters")
          .addColumn("owner_id", "text", (c) => c.notNull())
          .addColumn("bucket", "text", (c) => c.notNull())
          .addColumn("window_start", "bigint", (c) => c.notNull())
          .addColumn("count", "bigint", (c) => c.notNull())
          .addPrimaryKeyConstraint("rate_counters_pk", ["owner_id", "bucket", "window_start"])
          .execute();
        await db.schema.alterTable("api_keys").addColumn("rate_limit", "integer").execute();
      },
    },
    "0012_round_trigger": {
      async up(db: Kysely<unknown>) {
        // The trigger of a round's first attempt, kept with the message by whoever starts the round, so that the
        // outbox need not read the simulation's own text to tell a redelivery from a simulated repetition.
        await db.schema
          .alterTable("messages")
          .addColumn("round_trigger", "text", (c) => c.notNull().defaultTo("auto"))
          .execute();
        await sql`update messages set round_trigger = case when simulate like '%"repeat":true%'
          then 'duplicate' else 'manual' end where round_attempts = 0 and total_attempts > 0`.execute(db);
      },
    },
  };
}

/**
 * Applies every pending migration, or those up to `upTo` (upgrade tests open a database as an older version
 * left it); returns Kysely's `{ error, results }` rather than throwing.
 */
export async function migrate(db: Kysely<unknown>, dialect: Dialect, upTo?: string) {
  const provider: MigrationProvider = { getMigrations: async () => migrations(dialect) };
  const migrator = new Migrator({ db, provider });
  const run = () => (upTo === undefined ? migrator.migrateToLatest() : migrator.migrateTo(upTo));
  if (dialect !== "sqlite") return run(); // Kysely holds an advisory lock on PostgreSQL
  // On SQLite Kysely takes no lock and runs each migration outside a transaction, so two processes opening one
  // new database at once both ran the same migration ("index … already exists"). Under BEGIN IMMEDIATE (the
  // store's single connection, nothing else uses it yet) the second waits for the first, then finds nothing to do.
  await sql`begin immediate`.execute(db);
  try {
    const result = await run();
    await sql.raw(result.error ? "rollback" : "commit").execute(db);
    return result;
  } catch (error) {
    await sql`rollback`.execute(db);
    throw error;
  }
}

export { sql };
