/**
 * Callback POSTs to hostile receivers (issue 9, finding 1): every one settles within a bounded time and the process
 * survives. A receiver that never gives a status ends as an error class; once a status came, it decides the
 * attempt (as for any receiver), and a broken, endless or dripping body only shortens the excerpt.
 */
import { performance } from "node:perf_hooks";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createOutbound, type Outbound, type PostResult } from "../../src/net/index.js";
import { failOnUncaught } from "../helpers/crashes.js";
import { BODY, type HostilePeer, startHostilePeer } from "../helpers/hostile-peer.js";

failOnUncaught();

const PROMPT_MS = 5_000;
const TIMEOUT_MS = 1_500;

let peer: HostilePeer;
let out: Outbound;

beforeAll(async () => {
  peer = await startHostilePeer();
});
afterEach(async () => {
  await out?.close();
});
afterAll(async () => {
  await peer.close();
});

async function post(url: string, excerptBytes = 4096): Promise<PostResult & { ms: number }> {
  out = createOutbound({ allowHosts: ["127.0.0.1"], allowPrivate: false });
  const started = performance.now();
  const r = await out.post(
    url,
    '{"code":200}',
    { "content-type": "application/json" },
    {
      timeoutMs: TIMEOUT_MS,
      excerptBytes,
    },
  );
  return { ...r, ms: performance.now() - started };
}

describe("callbacks to hostile receivers", () => {
  it("200 with a body larger than the high-water mark, then FIN: the status and the excerpt, every time", async () => {
    for (let i = 0; i < 12; i++) {
      const r = await post(peer.url("fin-after-body"));
      expect(r).toMatchObject({ status: 200, errorClass: null, excerpt: BODY.subarray(0, 4096).toString() });
      expect(r.ms).toBeLessThan(PROMPT_MS);
    }
  });

  it("keeps an excerpt of several MB whole (the cover provider reads its answer this way)", async () => {
    const r = await post(peer.url("close-delimited"), 8 * 1024 * 1024);
    expect(r).toMatchObject({ status: 200, errorClass: null });
    expect(r.excerpt).toBe(BODY.toString());
  });

  it.each([["short-length"], ["bad-chunked"], ["reset-mid-body"], ["gzip-bomb"], ["endless"]])(
    "%s: the status stands, at once",
    async (behaviour) => {
      const r = await post(peer.url(behaviour));
      expect(r).toMatchObject({ status: 200, errorClass: null });
      expect(r.ms).toBeLessThan(PROMPT_MS);
    },
  );

  it("a redirect loop: the 302 is the answer, not followed", async () => {
    const before = peer.connections;
    const r = await post(peer.url("loop"));
    expect(r).toMatchObject({ status: 302, errorClass: null });
    expect(peer.connections - before).toBe(1);
  });

  it.each([
    ["reset-at-once", "reset"],
    ["huge-headers", "other"],
  ])("%s: no status, error class %s, at once", async (behaviour, errorClass) => {
    const r = await post(peer.url(behaviour));
    expect(r).toMatchObject({ status: null, errorClass });
    expect(r.errorMessage).not.toBeNull();
    expect(r.ms).toBeLessThan(PROMPT_MS);
  });

  it("a receiver that never answers: timeout at the deadline", async () => {
    const r = await post(peer.url("silent"));
    expect(r).toMatchObject({ status: null, errorClass: "timeout" });
    expect(r.ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(r.ms).toBeLessThan(TIMEOUT_MS + PROMPT_MS);
  });

  it("a one-byte-a-second drip: the status and what came, at the deadline", async () => {
    const r = await post(peer.url("drip"));
    expect(r).toMatchObject({ status: 200, errorClass: null });
    expect(r.excerpt).toMatch(/^x+$/);
    expect(r.ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(r.ms).toBeLessThan(TIMEOUT_MS + PROMPT_MS);
  });
});
