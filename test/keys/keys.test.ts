import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  authenticate,
  createKey,
  findKey,
  hashKey,
  listKeys,
  renameKey,
  revokeKey,
  rotateWebhookKey,
  setHmac,
} from "../../src/keys/index.js";
import { ManualClock } from "../../src/lib/clock.js";
import { HooklineError } from "../../src/lib/errors.js";
import type { Store } from "../../src/store/index.js";
import { dialects, freshStore } from "../helpers/db.js";

const T0 = Date.parse("2026-03-01T12:00:00Z");

/** Every cell of every table as text: to prove a secret is stored nowhere in clear. */
async function everyCell(store: Store): Promise<string> {
  const tables = ["api_keys", "files", "tasks", "tracks", "messages", "attempts", "settings"] as const;
  const parts: string[] = [];
  for (const t of tables) parts.push(JSON.stringify(await store.db.selectFrom(t).selectAll().execute()));
  return parts.join("\n");
}

/** API keys are tenants (DESIGN invariant 7 at the data level). */
describe.each(dialects())("API keys on %s", (dialect) => {
  let store: Awaited<ReturnType<typeof freshStore>>;
  let clock: ManualClock;
  beforeEach(async () => {
    store = await freshStore(dialect);
    clock = new ManualClock(T0);
  });
  afterEach(async () => {
    await store.drop();
  });

  it("creates keys of the documented shapes and stores only a hash of the API key", async () => {
    const k = await createKey(store, clock, { name: "shop", credits: 500 });
    expect(k.apiKey).toMatch(/^hk_[0-9A-Za-z]{32}$/);
    expect(k.webhookHmacKey).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(k.webhookHmacKey.slice(6), "base64")).toHaveLength(32);
    expect(k).toMatchObject({ name: "shop", hmacEnabled: true, credits: 500, revokedAt: null });
    expect(k.createdAt).toBe(new Date(T0).toISOString());
    expect(k.hint).toBe(`${k.apiKey.slice(0, 7)}…${k.apiKey.slice(-4)}`);
    const row = await store.db
      .selectFrom("api_keys")
      .selectAll()
      .where("id", "=", k.id)
      .executeTakeFirstOrThrow();
    expect(row.key_hash).toBe(hashKey(k.apiKey));
    expect(row.key_hash).toMatch(/^[0-9a-f]{64}$/);
    const cells = await everyCell(store);
    expect(cells).not.toContain(k.apiKey);
    expect(cells).not.toContain(k.apiKey.slice(3));
    // Keys never repeat.
    const more = await Promise.all([1, 2, 3].map((i) => createKey(store, clock, { name: `k${i}` })));
    expect(new Set([k, ...more].map((x) => x.apiKey)).size).toBe(4);
    expect(new Set([k, ...more].map((x) => x.webhookHmacKey)).size).toBe(4);
  });

  it("authenticates each key as its own tenant and refuses anything else", async () => {
    const a = await createKey(store, clock, { name: "a" });
    const b = await createKey(store, clock, { name: "b" });
    expect((await authenticate(store, a.apiKey))?.id).toBe(a.id);
    expect((await authenticate(store, b.apiKey))?.id).toBe(b.id);
    const mangled = `${a.apiKey.slice(0, -1)}${a.apiKey.endsWith("x") ? "y" : "x"}`;
    for (const bad of [mangled, "", "hk_", a.apiKey.toUpperCase(), ` ${a.apiKey}`, hashKey(a.apiKey)]) {
      expect(await authenticate(store, bad), bad).toBeNull();
    }
  });

  it("a revoked key no longer authenticates; the other tenant is unaffected", async () => {
    const a = await createKey(store, clock, { name: "a" });
    clock.advance(1);
    const b = await createKey(store, clock, { name: "b" });
    clock.advance(5_000);
    const revoked = await revokeKey(store, clock, a.id);
    expect(revoked.revokedAt).toBe(new Date(T0 + 5_001).toISOString());
    clock.advance(1_000);
    // Revoking again keeps the first time.
    expect((await revokeKey(store, clock, a.id)).revokedAt).toBe(new Date(T0 + 5_001).toISOString());
    expect(await authenticate(store, a.apiKey)).toBeNull();
    expect((await authenticate(store, b.apiKey))?.id).toBe(b.id);
    const listed = await listKeys(store);
    expect(listed.map((k) => [k.name, k.revokedAt !== null])).toEqual([
      ["a", true],
      ["b", false],
    ]);
    expect(JSON.stringify(listed)).not.toContain(a.apiKey);
  });

  it("finds a key by id, name (the live one) or API key, and refuses an ambiguous name", async () => {
    const a = await createKey(store, clock, { name: "dup" });
    await revokeKey(store, clock, a.id);
    // A revoked key's name is free again: both keys then answer to it.
    const b = await createKey(store, clock, { name: "dup" });
    expect((await findKey(store, a.id)).id).toBe(a.id);
    expect((await findKey(store, a.apiKey)).id).toBe(a.id);
    expect((await findKey(store, { id: b.id })).id).toBe(b.id);
    expect((await findKey(store, "dup")).id).toBe(b.id);
    await revokeKey(store, clock, b.id);
    await expect(findKey(store, "dup")).rejects.toMatchObject({ code: "bad_request" });
    // By id only, a name is not an id.
    await expect(findKey(store, { id: "dup" })).rejects.toMatchObject({ code: "not_found" });
    const missing = await findKey(store, "nobody").catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(HooklineError);
    expect((missing as HooklineError).code).toBe("not_found");
  });

  it("rotates the webhook key with a grace period and switches HMAC per key", async () => {
    const a = await createKey(store, clock, { name: "a", hmacEnabled: false });
    expect(a.hmacEnabled).toBe(false);
    const r = await rotateWebhookKey(store, clock, a.id, 3600_000);
    expect(r.webhookHmacKey).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(r.webhookHmacKey).not.toBe(a.webhookHmacKey);
    expect(r.previousKeyValidUntil).toBe(new Date(T0 + 3600_000).toISOString());
    const row = await store.db
      .selectFrom("api_keys")
      .selectAll()
      .where("id", "=", a.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      webhook_key: r.webhookHmacKey,
      previous_webhook_key: a.webhookHmacKey,
      previous_key_until: T0 + 3600_000,
      hmac_enabled: 0,
    });
    expect((await setHmac(store, a.id, true)).hmacEnabled).toBe(true);
    expect((await authenticate(store, a.apiKey))?.hmac_enabled).toBe(1);
    // Rotating changes neither the API key nor its tenant.
    expect((await authenticate(store, a.apiKey))?.id).toBe(a.id);
  });

  it("refuses a name a live key has (creating or renaming), even for keys created at the same time", async () => {
    const a = await createKey(store, clock, { name: "shop" });
    await expect(createKey(store, clock, { name: "shop" })).rejects.toMatchObject({
      code: "conflict",
      message: "a live key is already named shop",
    });
    await expect(createKey(store, clock, { name: " " })).rejects.toMatchObject({ code: "bad_request" });
    await expect(createKey(store, clock, { name: "x".repeat(65) })).rejects.toMatchObject({
      code: "bad_request",
    });
    const b = await createKey(store, clock, { name: "other" });
    await expect(renameKey(store, { id: b.id }, "shop")).rejects.toMatchObject({ code: "conflict" });
    expect((await renameKey(store, { id: a.id }, "shop")).name).toBe("shop");
    expect((await renameKey(store, { id: b.id }, "shop2")).name).toBe("shop2");
    await revokeKey(store, clock, a.id);
    expect((await renameKey(store, { id: b.id }, "shop")).name).toBe("shop");
    // Ten at once, on as many connections as the store has: one wins.
    const raced = await Promise.allSettled(
      Array.from({ length: 10 }, () => createKey(store, clock, { name: "race" })),
    );
    expect(raced.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(raced.filter((r) => r.status === "rejected").map((r) => r.reason.code)).toEqual(
      Array(9).fill("conflict"),
    );
    const live = (await listKeys(store)).filter((k) => k.revokedAt === null).map((k) => k.name);
    expect(live.sort()).toEqual(["race", "shop"]);
  });
});
