import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { createKey, createKeyCache, revokeKey, setHmac } from "../../src/keys/index.js";
import { ManualClock } from "../../src/lib/clock.js";
import { openStore, type Store } from "../../src/store/index.js";
import { dialects, freshDatabase, type TestDb } from "../helpers/db.js";

/**
 * The server's key cache (DESIGN invariant 7): a key found once is served from memory, yet any change to a key,
 * made through any connection, empties the cache before the next request. The server's handle and the
 * "other" handle below are separate connections to one database, as a server and the CLI are.
 */
describe.each(dialects())("API key cache on %s", (dialect) => {
  let database: TestDb | null = null;
  const stores: Store[] = [];
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
    await database?.drop();
    database = null;
  });

  async function setup() {
    database = await freshDatabase(dialect);
    const server = await openStore(database.target);
    const other = await openStore(database.target);
    stores.push(server, other);
    const clock = new ManualClock(Date.parse("2026-11-30T12:00:00Z"));
    const a = await createKey(other, clock, { name: "a" });
    const b = await createKey(other, clock, { name: "b" });
    const cache = createKeyCache(server.db);
    // Found twice: the second answer comes from the cache.
    for (let i = 0; i < 2; i++) {
      expect((await cache.authenticate(a.apiKey))?.id).toBe(a.id);
      expect((await cache.authenticate(b.apiKey))?.id).toBe(b.id);
    }
    return { server, other, clock, a, b, cache };
  }

  it("a key revoked through another connection is refused by the very next call; others stay served", async () => {
    const { other, clock, a, b, cache } = await setup();
    await revokeKey(other, clock, a.id);
    expect(await cache.authenticate(a.apiKey)).toBeNull();
    expect((await cache.authenticate(b.apiKey))?.id).toBe(b.id);
    expect(await cache.authenticate(a.apiKey)).toBeNull();
  });

  it("a key revoked through the server's own connection is refused at once", async () => {
    const { server, clock, a, cache } = await setup();
    await revokeKey(server, clock, a.id);
    expect(await cache.authenticate(a.apiKey)).toBeNull();
  });

  it("plain SQL counts too: a revocation or a deletion written by hand is refused at once", async () => {
    const { other, a, b, cache } = await setup();
    await sql`update api_keys set revoked_at = 1 where id = ${a.id}`.execute(other.db);
    expect(await cache.authenticate(a.apiKey)).toBeNull();
    await sql`delete from api_keys where id = ${b.id}`.execute(other.db);
    expect(await cache.authenticate(b.apiKey)).toBeNull();
  });

  it("serves what changed, not what it had: a switched-off HMAC shows in the next answer", async () => {
    const { other, a, cache } = await setup();
    expect((await cache.authenticate(a.apiKey))?.hmac_enabled).toBe(1);
    await setHmac(other, a.id, false);
    expect((await cache.authenticate(a.apiKey))?.hmac_enabled).toBe(0);
  });

  it("never caches unknown tokens: a key created afterwards is accepted at once", async () => {
    const { other, clock, cache } = await setup();
    expect(await cache.authenticate("hk_unknownunknownunknownunknown00")).toBeNull();
    const c = await createKey(other, clock, { name: "c" });
    expect((await cache.authenticate(c.apiKey))?.id).toBe(c.id);
  });
});
