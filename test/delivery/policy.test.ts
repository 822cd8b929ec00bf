import { describe, expect, it } from "vitest";
import { decide, type RetryPolicy } from "../../src/delivery/index.js";

const policy: RetryPolicy = { scheduleMs: [60_000, 300_000, 900_000], jitter: 0.1 };
const status = (s: number | null, retryAfterMs: number | null = null, errorClass: string | null = null) => ({
  status: s,
  errorClass,
  retryAfterMs,
});
const low = () => 0;
const mid = () => 0.5;
const high = () => 0.999_999;

describe("decide: the retry arithmetic", () => {
  it("delivers on every 2xx and on nothing else", () => {
    for (const s of [200, 201, 202, 204, 299])
      expect(decide(status(s), 1, policy)).toEqual({ outcome: "delivered" });
    for (const s of [100, 199, 300, 301, 302, 304, 307, 400, 404, 500, 502]) {
      expect(decide(status(s), 1, policy, mid).outcome, String(s)).toBe("retry");
    }
  });

  it("uses the n-th gap of the schedule for attempt n and gives up after the last", () => {
    expect(decide(status(500), 1, policy, mid)).toEqual({ outcome: "retry", delayMs: 60_000 });
    expect(decide(status(500), 2, policy, mid)).toEqual({ outcome: "retry", delayMs: 300_000 });
    expect(decide(status(500), 3, policy, mid)).toEqual({ outcome: "retry", delayMs: 900_000 });
    expect(decide(status(500), 4, policy, mid)).toEqual({ outcome: "failed", reason: "exhausted" });
    expect(decide(status(500), 9, policy, mid)).toEqual({ outcome: "failed", reason: "exhausted" });
  });

  it("spreads each gap by ±jitter and never beyond", () => {
    expect(decide(status(500), 1, policy, low)).toEqual({ outcome: "retry", delayMs: 54_000 });
    const top = decide(status(500), 1, policy, high);
    expect(top.outcome === "retry" && top.delayMs).toBe(66_000);
    expect(decide(status(500), 3, policy, low)).toEqual({ outcome: "retry", delayMs: 810_000 });
    for (let i = 0; i < 500; i++) {
      const d = decide(status(null, null, "timeout"), 2, policy);
      if (d.outcome !== "retry") throw new Error("expected a retry");
      expect(d.delayMs).toBeGreaterThanOrEqual(270_000);
      expect(d.delayMs).toBeLessThanOrEqual(330_000);
    }
    expect(decide(status(500), 2, { ...policy, jitter: 0 }, high)).toEqual({
      outcome: "retry",
      delayMs: 300_000,
    });
  });

  it("retries network failures like bad statuses", () => {
    for (const cls of ["timeout", "dns", "connect", "reset", "tls", "other"]) {
      expect(decide(status(null, null, cls), 1, policy, mid), cls).toEqual({
        outcome: "retry",
        delayMs: 60_000,
      });
    }
  });

  it("410 is final at any attempt; a refused target is final", () => {
    expect(decide(status(410), 1, policy)).toEqual({ outcome: "failed", reason: "gone" });
    expect(decide(status(410), 4, policy)).toEqual({ outcome: "failed", reason: "gone" });
    expect(decide(status(null, null, "refused_target"), 1, policy)).toEqual({
      outcome: "failed",
      reason: "refused",
    });
  });

  it("honours Retry-After on 429 and 503, clamped to [gap, 2 × gap], without jitter", () => {
    for (const s of [429, 503]) {
      expect(decide(status(s, 90_000), 1, policy, low)).toEqual({ outcome: "retry", delayMs: 90_000 });
      expect(decide(status(s, 1_000), 1, policy, low)).toEqual({ outcome: "retry", delayMs: 60_000 });
      expect(decide(status(s, 0), 2, policy, low)).toEqual({ outcome: "retry", delayMs: 300_000 });
      expect(decide(status(s, 10_000_000), 1, policy, low)).toEqual({ outcome: "retry", delayMs: 120_000 });
      expect(decide(status(s, 10_000_000), 3, policy, low)).toEqual({ outcome: "retry", delayMs: 1_800_000 });
      // Retry-After cannot extend the schedule past its end.
      expect(decide(status(s, 60_000), 4, policy, low)).toEqual({ outcome: "failed", reason: "exhausted" });
    }
    // Other statuses ignore it.
    expect(decide(status(500, 100_000), 1, policy, mid)).toEqual({ outcome: "retry", delayMs: 60_000 });
    // Without a header the jittered gap applies.
    expect(decide(status(429, null), 1, policy, low)).toEqual({ outcome: "retry", delayMs: 54_000 });
  });

  it("an empty schedule means one attempt only", () => {
    expect(decide(status(500), 1, { scheduleMs: [], jitter: 0.1 })).toEqual({
      outcome: "failed",
      reason: "exhausted",
    });
    expect(decide(status(200), 1, { scheduleMs: [], jitter: 0.1 })).toEqual({ outcome: "delivered" });
  });
});
