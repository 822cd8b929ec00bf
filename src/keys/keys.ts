import { createHash } from "node:crypto";
import type { Kysely } from "kysely";
import type { Clock } from "../lib/clock.js";
import { HooklineError } from "../lib/errors.js";
import { newApiKey, newId, newWebhookKey } from "../lib/ids.js";
import { type ApiKeyTable, type Database, query, type Store, statement } from "../store/index.js";
import { type KeyInfo, type KeyRef, keyInfo } from "./info.js";
import { claimName } from "./names.js";

/** Keys are stored as SHA-256 hashes: 190 bits of randomness need no slow hash, and lookups stay one index read. */
export const hashKey = (apiKey: string): string => createHash("sha256").update(apiKey, "utf8").digest("hex");

/**
 * Creates a key: the API key and the webhook HMAC key are returned once, here, and never again. A name that a
 * live key has already is refused (`conflict`).
 *
 * @example
 * const { apiKey, webhookHmacKey } = await createKey(store, clock, { name: "dev" });
 */
export async function createKey(
  store: Store,
  clock: Clock,
  opts: { name: string; hmacEnabled?: boolean; credits?: number | null },
): Promise<KeyInfo & { apiKey: string; webhookHmacKey: string }> {
  const apiKey = newApiKey();
  const row: ApiKeyTable = {
    id: newId("key"),
    name: opts.name,
    key_hash: hashKey(apiKey),
    key_hint: `${apiKey.slice(0, 7)}…${apiKey.slice(-4)}`,
    webhook_key: newWebhookKey(),
    previous_webhook_key: null,
    previous_key_until: null,
    hmac_enabled: opts.hmacEnabled === false ? 0 : 1,
    credits: opts.credits ?? null,
    created_at: clock.now(),
    revoked_at: null,
    simulate: null,
    rate_limit: null,
  };
  await store.transact(async (trx) => {
    await claimName(trx, row.name, null);
    await trx.insertInto("api_keys").values(row).execute();
  });
  return { ...keyInfo(row), apiKey, webhookHmacKey: row.webhook_key };
}

const BY_HASH = statement<ApiKeyTable>("select * from api_keys where key_hash = ?");

/** The key row with this hash, revoked or not (precompiled: requests whose key is not cached read it). */
export async function keyByHash(db: Kysely<Database>, hash: string): Promise<ApiKeyTable | undefined> {
  const [row] = await query(db, BY_HASH, [hash]);
  return row;
}

/** The live key a bearer token belongs to, or null (the HTTP server uses a {@link createKeyCache} instead). */
export async function authenticate(store: Store, apiKey: string): Promise<ApiKeyTable | null> {
  const row = await keyByHash(store.db, hashKey(apiKey));
  return row && row.revoked_at === null ? row : null;
}

/** The key of that id if it is live (a console session's key), or null. */
export async function liveKeyById(db: Kysely<Database>, id: string): Promise<ApiKeyTable | null> {
  const row = await db.selectFrom("api_keys").selectAll().where("id", "=", id).executeTakeFirst();
  return row && row.revoked_at === null ? row : null;
}

export async function listKeys(store: Store): Promise<KeyInfo[]> {
  // The id breaks ties, so keys made in the same millisecond list in a stable order on both databases.
  const rows = await store.db
    .selectFrom("api_keys")
    .selectAll()
    .orderBy("created_at")
    .orderBy("id")
    .execute();
  return rows.map(keyInfo);
}

/**
 * Finds a key by id, exact name, or API key (a string), or by id only (`{ id }`). A name of several keys means its
 * live one; with none live, it is refused as ambiguous.
 */
export async function findKey(store: Store, ref: KeyRef): Promise<ApiKeyTable> {
  const rows = await store.db
    .selectFrom("api_keys")
    .selectAll()
    .where((eb) =>
      typeof ref === "string"
        ? eb.or([eb("id", "=", ref), eb("name", "=", ref), eb("key_hash", "=", hashKey(ref))])
        : eb("id", "=", ref.id),
    )
    .execute();
  const shown = typeof ref === "string" ? ref : ref.id;
  if (rows.length === 0) throw new HooklineError("not_found", `no key matches "${shown}"`);
  if (rows.length === 1) return rows[0]!;
  // Live names are unique: a name that revoked keys also had means the live key.
  const live = rows.filter((r) => r.revoked_at === null);
  if (live.length === 1) return live[0]!;
  throw new HooklineError("bad_request", `"${shown}" names ${rows.length} keys; use the key id`);
}

/** A key as its operator sees it. */
export async function getKey(store: Store, ref: KeyRef): Promise<KeyInfo> {
  return keyInfo(await findKey(store, ref));
}

/** Revokes a key; a key revoked before keeps the time of its first revocation. */
export async function revokeKey(store: Store, clock: Clock, ref: KeyRef): Promise<KeyInfo> {
  const row = await findKey(store, ref);
  const now = clock.now();
  await store.db
    .updateTable("api_keys")
    .set({ revoked_at: now })
    .where("id", "=", row.id)
    .where("revoked_at", "is", null)
    .execute();
  return getKey(store, { id: row.id });
}

/**
 * A new webhook key; the old one keeps signing `webhook-signature` (alongside the new one) for `graceMs`.
 */
export async function rotateWebhookKey(store: Store, clock: Clock, ref: KeyRef, graceMs: number) {
  const row = await findKey(store, ref);
  const webhookHmacKey = newWebhookKey();
  const until = clock.now() + graceMs;
  await store.db
    .updateTable("api_keys")
    .set({ webhook_key: webhookHmacKey, previous_webhook_key: row.webhook_key, previous_key_until: until })
    .where("id", "=", row.id)
    .execute();
  return { id: row.id, name: row.name, webhookHmacKey, previousKeyValidUntil: new Date(until).toISOString() };
}

export async function setHmac(store: Store, ref: KeyRef, enabled: boolean): Promise<KeyInfo> {
  const row = await findKey(store, ref);
  await store.db
    .updateTable("api_keys")
    .set({ hmac_enabled: enabled ? 1 : 0 })
    .where("id", "=", row.id)
    .execute();
  return keyInfo({ ...row, hmac_enabled: enabled ? 1 : 0 });
}

/** Sets or clears (null) a key's standing failure simulation, in its text form (see src/simulation). */
export async function setSimulation(store: Store, ref: KeyRef, simulate: string | null): Promise<KeyInfo> {
  const row = await findKey(store, ref);
  await store.db.updateTable("api_keys").set({ simulate }).where("id", "=", row.id).execute();
  return keyInfo({ ...row, simulate });
}

/** Sets a key's request rate per minute: a number, 0 for no limit, or null for the server's default. */
export async function setRateLimit(store: Store, ref: KeyRef, rateLimit: number | null): Promise<KeyInfo> {
  const row = await findKey(store, ref);
  await store.db.updateTable("api_keys").set({ rate_limit: rateLimit }).where("id", "=", row.id).execute();
  return keyInfo({ ...row, rate_limit: rateLimit });
}
