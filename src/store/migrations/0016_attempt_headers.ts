import type { SchemaMigration } from "./migration.js";

/**
 * The headers each attempt sent (JSON), so that the delivery log shows which signatures a receiver was given: a
 * signature with the previous webhook key during a rotation, the resellers' `X-Webhook-*` pair or not. Attempts
 * made before this step have none.
 */
export const attemptHeaders: SchemaMigration = {
  name: "0016_attempt_headers",
  async up(db) {
    await db.schema.alterTable("attempts").addColumn("request_headers", "text").execute();
  },
};
