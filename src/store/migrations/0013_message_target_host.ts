import { sql } from "kysely";
import { targetHost } from "../../lib/target-host.js";
import type { SchemaMigration } from "./migration.js";

/** The host each callback goes to, kept with its message, so that claims can cap callbacks per host. */
export const messageTargetHost: SchemaMigration = {
  name: "0013_message_target_host",
  async up(db) {
    await db.schema
      .alterTable("messages")
      .addColumn("target_host", "text", (c) => c.notNull().defaultTo(""))
      .execute();
    // Existing rows, every state (a delivered message may be redelivered): one update per distinct URL, of which
    // an installation has about one per receiving app, rather than one per message.
    const urls = await sql<{ url: string }>`select distinct url from messages`.execute(db);
    for (const { url } of urls.rows)
      await sql`update messages set target_host = ${targetHost(url)} where url = ${url}`.execute(db);
  },
};
