import { afterEach, describe, expect, it } from "vitest";
import { dialects } from "../helpers/db.js";
import { type Receiver, startReceiver } from "../helpers/receiver.js";
import { attemptRows, messageRow, openRig, queueCallback, type Rig, SCHEDULE, taskStatus } from "./rig.js";

/** How single answers end or continue a delivery, and what each attempt row keeps (DESIGN invariant 3). */
describe.each(dialects())("callback outcomes on %s", (dialect) => {
  let rig: Rig | null = null;
  let receiver: Receiver | null = null;
  afterEach(async () => {
    await receiver?.close();
    await rig?.close();
    receiver = null;
    rig = null;
  });

  /** A rig and a receiver whose answer depends on the request path. */
  async function setup(opts: { allowPrivate?: boolean } = {}) {
    rig = await openRig(dialect, opts);
    receiver = await startReceiver((req, res) => {
      const path = req.url ?? "";
      if (path === "/gone") res.writeHead(410).end("unsubscribed");
      else if (path === "/moved") res.writeHead(302, { location: "/ok" }).end();
      else if (path.startsWith("/busy/")) res.writeHead(429, { "retry-after": path.slice(6) }).end();
      else if (path === "/big") res.writeHead(500).end("x".repeat(10 * 1024));
      else res.end("ok");
    });
    return { r: rig, origin: receiver.origin };
  }

  it("410 Gone stops retrying after one attempt; a failed task keeps its own status", async () => {
    const { r, origin } = await setup();
    const { taskId, messageId } = await queueCallback(r, `${origin}/gone`, { status: "FAILED" });
    expect(await r.sender.runOnce()).toBe(1);
    const [a, ...more] = await attemptRows(r, messageId);
    expect(more).toEqual([]);
    expect(a).toMatchObject({
      status_code: 410,
      outcome: "failed",
      next_at: null,
      response_excerpt: "unsubscribed",
    });
    expect(a!.error_message).toMatch(/410/);
    expect((await messageRow(r, messageId)).state).toBe("failed");
    expect(r.hooks).toEqual(["givenUp:FAILED"]);
    expect(await taskStatus(r, taskId)).toBe("FAILED");
    r.clock.advance(3600_000);
    expect(await r.sender.runOnce()).toBe(0);
  });

  it("a 3xx is a failed attempt and is not followed", async () => {
    const { r, origin } = await setup();
    const { messageId } = await queueCallback(r, `${origin}/moved`);
    await r.sender.runOnce();
    const [a] = await attemptRows(r, messageId);
    expect(a).toMatchObject({ status_code: 302, outcome: "retry", error_class: "http_status" });
    expect(receiver!.requests.map((q) => q.url)).toEqual(["/moved"]);
    expect((await messageRow(r, messageId)).state).toBe("pending");
  });

  it("honours Retry-After on 429, clamped between the scheduled gap and twice it", async () => {
    const { r, origin } = await setup();
    const base = SCHEDULE[0];
    const cases: [string, number][] = [
      ["1", base], // too soon: the schedule wins
      ["100", 100_000],
      ["3600", 2 * base], // too late: twice the gap at most
    ];
    for (const [retryAfter, delay] of cases) {
      const { messageId } = await queueCallback(r, `${origin}/busy/${retryAfter}`);
      await r.sender.runOnce();
      const [a] = await attemptRows(r, messageId);
      expect(a, retryAfter).toMatchObject({ status_code: 429, outcome: "retry" });
      expect(a!.next_at! - a!.started_at, retryAfter).toBe(delay);
      expect((await messageRow(r, messageId)).next_at).toBe(a!.next_at);
    }
  });

  it("a target the policy refuses is final after one attempt, recorded with its reason", async () => {
    // Loopback is closed to this client; 10.0.0.1 is refused before any connection is tried.
    const { r } = await setup({ allowPrivate: false });
    const { taskId, messageId } = await queueCallback(r, "http://10.0.0.1:8080/cb");
    const started = Date.now();
    expect(await r.sender.runOnce()).toBe(1);
    expect(Date.now() - started).toBeLessThan(1_000);
    const attempts = await attemptRows(r, messageId);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({
      status_code: null,
      error_class: "refused_target",
      outcome: "failed",
      next_at: null,
    });
    expect(attempts[0]!.error_message).toMatch(/10\.0\.0\.1.*private/);
    expect((await messageRow(r, messageId)).state).toBe("failed");
    expect(r.hooks).toEqual(["givenUp:SUCCESS"]);
    expect(await taskStatus(r, taskId)).toBe("CALLBACK_EXCEPTION");
    r.clock.advance(3600_000);
    expect(await r.sender.runOnce()).toBe(0);
  });

  it("keeps status, latency, error class and at most excerptBytes of a 10 KB answer", async () => {
    const { r, origin } = await setup();
    const { messageId } = await queueCallback(r, `${origin}/big`);
    await r.sender.runOnce();
    const [a] = await attemptRows(r, messageId);
    expect(a).toMatchObject({
      status_code: 500,
      error_class: "http_status",
      outcome: "retry",
      trigger: "auto",
    });
    expect(typeof a!.latency_ms).toBe("number");
    expect(a!.latency_ms).toBeGreaterThanOrEqual(0);
    const excerpt = a!.response_excerpt ?? "";
    expect(excerpt.length).toBeGreaterThan(0);
    expect(Buffer.byteLength(excerpt)).toBeLessThanOrEqual(4096);
    expect(excerpt).toBe("x".repeat(excerpt.length));
  });
});
