import { sql } from "kysely";
import type { SchemaMigration } from "./migration.js";

/** Only-once slots held by one task each, under a unique index (issue 9). */
export const onlyOnce: SchemaMigration = {
  name: "0008_only_once",
  async up(db) {
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
};
