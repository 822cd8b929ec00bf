import { sql } from "kysely";
import type { SchemaMigration } from "./migration.js";

/** What started a message's current round, in a column of its own (issue 10: simulation out of the outbox). */
export const roundTrigger: SchemaMigration = {
  name: "0012_round_trigger",
  async up(db) {
    // The trigger of a round's first attempt, kept with the message by whoever starts the round, so that the
    // outbox need not read the simulation's own text to tell a redelivery from a simulated repetition. Rounds
    // under way keep the trigger their first attempt would have been logged with.
    await db.schema
      .alterTable("messages")
      .addColumn("round_trigger", "text", (c) => c.notNull().defaultTo("auto"))
      .execute();
    await sql`update messages set round_trigger = case when simulate like '%"repeat":true%'
      then 'duplicate' else 'manual' end where round_attempts = 0 and total_attempts > 0`.execute(db);
  },
};
