import { randomBytes } from "node:crypto";
import type { Store } from "./open.js";

/**
 * Returns the named secret, creating it once. Kept in the database so that every process of one installation
 * (API, workers, CLI) signs download URLs with the same key.
 */
export async function ensureSecret(store: Store, key: string): Promise<Buffer> {
  const existing = await store.db
    .selectFrom("settings")
    .select("value")
    .where("key", "=", key)
    .executeTakeFirst();
  if (existing) return Buffer.from(existing.value, "base64");
  const value = randomBytes(32).toString("base64");
  await store.db
    .insertInto("settings")
    .values({ key, value })
    .onConflict((oc) => oc.column("key").doNothing())
    .execute();
  const row = await store.db
    .selectFrom("settings")
    .select("value")
    .where("key", "=", key)
    .executeTakeFirstOrThrow();
  return Buffer.from(row.value, "base64");
}
