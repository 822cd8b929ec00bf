import { afterEach, describe, expect, it } from "vitest";
import { dialects } from "../helpers/db.js";
import { closedPort, type Receiver, startReceiver } from "../helpers/receiver.js";
import {
  attemptRows,
  driveToEnd,
  JITTER,
  messageRow,
  openRig,
  queueCallback,
  type Rig,
  SCHEDULE,
  TIMEOUT_MS,
  taskStatus,
} from "./rig.js";

/** The retry schedule under an injected clock, against a real receiver (DESIGN invariants 3 and 5). */
describe.each(dialects())("callback retries on %s", (dialect) => {
  let rig: Rig | null = null;
  let receiver: Receiver | null = null;
  afterEach(async () => {
    await receiver?.close();
    await rig?.close();
    receiver = null;
    rig = null;
  });

  /** Gives up after exactly 1 + 3 attempts, each retry within ±10 % of its gap, measured from the attempt's end. */
  async function expectGivenUp(r: Rig, messageId: string, taskId: string, answerMs: number) {
    expect(await driveToEnd(r, messageId)).toBe(4);
    const attempts = await attemptRows(r, messageId);
    expect(attempts.map((a) => a.number)).toEqual([1, 2, 3, 4]);
    expect(attempts.map((a) => a.outcome)).toEqual(["retry", "retry", "retry", "failed"]);
    expect(attempts.every((a) => a.trigger === "auto")).toBe(true);
    for (let i = 0; i < SCHEDULE.length; i++) {
      const a = attempts[i]!;
      const gap = a.next_at! - (a.started_at + answerMs);
      expect(gap).toBeGreaterThanOrEqual(SCHEDULE[i]! * (1 - JITTER));
      expect(gap).toBeLessThanOrEqual(SCHEDULE[i]! * (1 + JITTER));
      expect(attempts[i + 1]!.started_at).toBe(a.next_at);
    }
    expect(attempts[3]!.next_at).toBeNull();
    const m = await messageRow(r, messageId);
    expect(m).toMatchObject({ state: "failed", total_attempts: 4, round_attempts: 4, delivered_at: null });
    expect(r.hooks).toEqual(["givenUp:SUCCESS"]);
    expect(await taskStatus(r, taskId)).toBe("CALLBACK_EXCEPTION");
    // Nothing more is sent, however long we wait.
    r.clock.advance(24 * 3600_000);
    expect(await r.sender.runOnce()).toBe(0);
    return attempts;
  }

  it("a receiver answering 500 gets 1 + 3 attempts at +1, +5, +15 min, then the callback is given up", async () => {
    rig = await openRig(dialect);
    const r = rig;
    // The receiver takes 20 s of (manual) time to answer: gaps count from the end of the attempt.
    receiver = await startReceiver((_req, res) => {
      r.clock.advance(20_000);
      res.writeHead(500).end("broken");
    });
    const { taskId, messageId } = await queueCallback(r, `${receiver.origin}/cb`);
    const attempts = await expectGivenUp(r, messageId, taskId, 20_000);
    expect(receiver.requests).toHaveLength(4);
    for (const a of attempts) {
      expect(a).toMatchObject({ status_code: 500, error_class: "http_status", response_excerpt: "broken" });
      expect(a.latency_ms).toBeGreaterThanOrEqual(0);
    }
  });

  it("a receiver that hangs past the timeout gets the same 1 + 3 attempts, each a timeout", async () => {
    rig = await openRig(dialect, { timeoutMs: TIMEOUT_MS });
    receiver = await startReceiver(() => undefined); // never answers
    const { taskId, messageId } = await queueCallback(rig, `${receiver.origin}/cb`);
    const attempts = await expectGivenUp(rig, messageId, taskId, 0);
    expect(receiver.requests).toHaveLength(4);
    for (const a of attempts) {
      expect(a).toMatchObject({ status_code: null, error_class: "timeout" });
      expect(a.error_message).toContain(String(TIMEOUT_MS));
      expect(a.latency_ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 20);
      expect(a.latency_ms).toBeLessThan(TIMEOUT_MS + 2_000);
    }
  });

  it("a refused connection gets the same 1 + 3 attempts, each a connect error", async () => {
    rig = await openRig(dialect);
    const port = await closedPort();
    const { taskId, messageId } = await queueCallback(rig, `http://127.0.0.1:${port}/cb`);
    const attempts = await expectGivenUp(rig, messageId, taskId, 0);
    for (const a of attempts) {
      expect(a).toMatchObject({ status_code: null, error_class: "connect" });
      expect(a.error_message).toMatch(/ECONNREFUSED/);
    }
  });

  it("stops at a 2xx on the third try: exactly 3 attempts and the message is delivered", async () => {
    rig = await openRig(dialect);
    let n = 0;
    receiver = await startReceiver((_req, res) => {
      n++;
      if (n < 3) res.writeHead(503).end("later");
      else res.writeHead(204).end();
    });
    const { taskId, messageId } = await queueCallback(rig, `${receiver.origin}/cb`);
    expect(await driveToEnd(rig, messageId)).toBe(3);
    const attempts = await attemptRows(rig, messageId);
    expect(attempts.map((a) => [a.number, a.status_code, a.outcome])).toEqual([
      [1, 503, "retry"],
      [2, 503, "retry"],
      [3, 204, "delivered"],
    ]);
    expect(attempts[2]).toMatchObject({ error_class: null, next_at: null });
    const m = await messageRow(rig, messageId);
    expect(m).toMatchObject({ state: "delivered", total_attempts: 3, delivered_at: rig.clock.now() });
    expect(rig.hooks).toEqual(["delivered:SUCCESS"]);
    expect(await taskStatus(rig, taskId)).toBe("SUCCESS");
    rig.clock.advance(3600_000);
    expect(await rig.sender.runOnce()).toBe(0);
    expect(receiver.requests).toHaveLength(3);
  });
});
