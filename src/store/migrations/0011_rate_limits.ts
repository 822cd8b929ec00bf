import type { SchemaMigration } from "./migration.js";

/** Shared per-key request counters and a key's own rate limit (issue 9). */
export const rateLimits: SchemaMigration = {
  name: "0011_rate_limits",
  async up(db) {
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
};
