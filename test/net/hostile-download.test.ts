/**
 * Downloads from hostile peers (issue 9, finding 1): each ends as its documented failure, or as the right file,
 * within a bounded time, and the process survives (an uncaught exception fails this vitest worker). The first
 * case is the finding itself: an HTTP/1.0 body larger than the stream high-water mark, then FIN, which killed the
 * process with undici 7's `assert(!this.paused)`.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { HooklineError } from "../../src/lib/errors.js";
import { createOutbound, type Outbound } from "../../src/net/index.js";
import { failOnUncaught } from "../helpers/crashes.js";
import { BODY, BODY_BYTES, type HostilePeer, startHostilePeer } from "../helpers/hostile-peer.js";
import { hasPython, startPythonServer } from "../helpers/python-http.js";

failOnUncaught();

/** Generous for a loaded 2-core machine: what must fail at once fails well within this. */
const PROMPT_MS = 5_000;
const TIMEOUT_MS = 1_500;

let peer: HostilePeer;
let dir: string;
let out: Outbound;
let n = 0;

beforeAll(async () => {
  peer = await startHostilePeer();
  dir = await mkdtemp(join(tmpdir(), "hookline-hostile-"));
});
afterEach(async () => {
  await out?.close();
});
afterAll(async () => {
  await peer.close();
  await rm(dir, { recursive: true, force: true });
});

function open(): Outbound {
  out = createOutbound({ allowHosts: ["127.0.0.1"], allowPrivate: false });
  return out;
}

/** Downloads `url` and answers what happened: the result or the error, the time taken and the file's fate. */
async function attempt(url: string, opts: { maxBytes?: number; timeoutMs?: number } = {}) {
  const dest = join(dir, `d${n++}`);
  const started = performance.now();
  try {
    const r = await open().download(url, dest, {
      maxBytes: opts.maxBytes ?? 10_000_000,
      timeoutMs: opts.timeoutMs ?? TIMEOUT_MS,
    });
    return { ok: r, error: null, ms: performance.now() - started, dest };
  } catch (err) {
    if (!(err instanceof HooklineError)) throw err;
    return { ok: null, error: err, ms: performance.now() - started, dest };
  }
}

describe("downloads from hostile peers", () => {
  it("HTTP/1.0, a body larger than the high-water mark, then FIN: the whole file, every time", async () => {
    for (let i = 0; i < 12; i++) {
      const r = await attempt(peer.url("fin-after-body"));
      expect(r.error, String(r.error)).toBeNull();
      expect(r.ok?.bytes).toBe(BODY_BYTES);
      expect((await readFile(r.dest)).equals(BODY)).toBe(true);
      expect(r.ms).toBeLessThan(PROMPT_MS);
    }
  });

  it.skipIf(!hasPython())("python3 -m http.server serving 480 KB: the whole file, every time", async () => {
    const served = join(dir, "served");
    await rm(served, { recursive: true, force: true });
    await mkdir(served);
    await writeFile(join(served, "a.mp3"), BODY);
    const py = await startPythonServer(served);
    try {
      for (let i = 0; i < 12; i++) {
        const r = await attempt(`${py.origin}/a.mp3`);
        expect(r.error, String(r.error)).toBeNull();
        expect(r.ok?.bytes).toBe(BODY_BYTES);
        expect((await readFile(r.dest)).equals(BODY)).toBe(true);
      }
    } finally {
      await py.close();
    }
  });

  it("Connection: close without a length: the body up to FIN; over the cap, payload_too_large", async () => {
    const whole = await attempt(peer.url("close-delimited"));
    expect(whole.ok?.bytes).toBe(BODY_BYTES);
    const capped = await attempt(peer.url("close-delimited"), { maxBytes: 100_000 });
    expect(capped.error?.code).toBe("payload_too_large");
    expect(existsSync(capped.dest)).toBe(false);
    expect(capped.ms).toBeLessThan(PROMPT_MS);
  });

  it.each([
    ["short-length", "source_unavailable", /ECONNRESET|aborted/],
    ["bad-chunked", "source_unavailable", /HPE_|chunk/i],
    ["reset-mid-body", "source_unavailable", /reset|ECONNRESET|aborted/],
    ["reset-at-once", "source_unavailable", /reset|ECONNRESET|hang up/],
    ["huge-headers", "source_unavailable", /HPE_HEADER_OVERFLOW|header/i],
    ["gzip-bomb", "source_unavailable", /Content-Encoding: gzip/],
    ["loop", "source_unavailable", /more than 5 redirects/],
  ])("%s: %s at once, no file left", async (behaviour, code, message) => {
    const r = await attempt(peer.url(behaviour));
    expect(r.error?.code, String(r.ok)).toBe(code);
    expect(r.error?.message).toMatch(message);
    expect(existsSync(r.dest)).toBe(false);
    expect(r.ms).toBeLessThan(PROMPT_MS);
  });

  it("an endless body: payload_too_large once the cap is passed", async () => {
    const r = await attempt(peer.url("endless"), { maxBytes: 2_000_000 });
    expect(r.error?.code).toBe("payload_too_large");
    expect(existsSync(r.dest)).toBe(false);
    expect(r.ms).toBeLessThan(PROMPT_MS);
  });

  it.each([["silent"], ["drip"]])("%s: source_unavailable at the deadline", async (behaviour) => {
    const r = await attempt(peer.url(behaviour));
    expect(r.error?.code).toBe("source_unavailable");
    expect(r.error?.message).toMatch(`within ${TIMEOUT_MS} ms`);
    expect(existsSync(r.dest)).toBe(false);
    expect(r.ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(r.ms).toBeLessThan(TIMEOUT_MS + PROMPT_MS);
  });
});
