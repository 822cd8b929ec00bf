import { sql } from "kysely";
import type { SchemaMigration } from "./migration.js";

/** Per-key storage usage and the bytes a queued task reserves (issue 9). */
export const storageUsage: SchemaMigration = {
  name: "0010_storage_usage",
  async up(db) {
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
};
