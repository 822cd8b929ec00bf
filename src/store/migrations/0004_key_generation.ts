import { sql } from "kysely";
import type { SchemaMigration } from "./migration.js";

/** A counter moved on by trigger whenever an API key changes, for the key caches. */
export const keyGeneration: SchemaMigration = {
  name: "0004_key_generation",
  async up(db, dialect) {
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
};
