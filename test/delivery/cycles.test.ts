import { afterEach, describe, expect, it } from "vitest";
import { dialects } from "../helpers/db.js";
import { type Receiver, startReceiver } from "../helpers/receiver.js";
import { waitFor } from "../helpers/wait.js";

import { attemptRows, makeSender, messageRow, openRig, queueCallback, type Rig, SCHEDULE } from "./rig.js";

/**
 * The sender records attempts in cycles: each transaction writes the attempts that ended since the last one
 * (multi-row statements in power-of-two chunks) and claims as many messages as slots came free. These tests
 * check that batching keeps every message's own outcome and that nothing is sent twice or lost.
 */
describe.each(dialects())("sender cycles on %s", (dialect) => {
  let rig: Rig | null = null;
  let receiver: Receiver | null = null;
  afterEach(async () => {
    await receiver?.close();
    await rig?.close();
    receiver = null;
    rig = null;
  });

  it("a burst far above the concurrency: each message sent once, one attempt each, leases released", async () => {
    rig = await openRig(dialect);
    const r = rig;
    receiver = await startReceiver((_req, res) => setTimeout(() => res.end("ok"), 1));
    const ids: string[] = [];
    for (let i = 0; i < 75; i++) ids.push((await queueCallback(r, `${receiver.origin}/cb`)).messageId);
    r.sender.start();
    await waitFor("receiver!.requests.length >= 75", () => receiver!.requests.length >= 75, {
      timeoutMs: 20_000,
    });
    await r.sender.stop();
    const seen = receiver.requests.map((q) => String(q.headers["webhook-id"]));
    expect(seen.sort()).toEqual([...ids].sort());
    for (const id of ids) {
      expect(await messageRow(r, id)).toMatchObject({
        state: "delivered",
        total_attempts: 1,
        round_attempts: 1,
        lease_owner: null,
        lease_until: null,
      });
      expect((await attemptRows(r, id)).map((a) => [a.number, a.outcome, a.status_code])).toEqual([
        [1, "delivered", 200],
      ]);
    }
    expect(r.hooks.filter((h) => h === "delivered:SUCCESS")).toHaveLength(75);
  });

  it("stopping gives back the leases of messages claimed ahead and not sent: another sender sends them at once", async () => {
    rig = await openRig(dialect);
    const r = rig;
    // Slow answers: the sender (8 slots, 4 claimed ahead) holds claimed messages it has not sent yet.
    receiver = await startReceiver((_req, res) => setTimeout(() => res.end("ok"), 150));
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) ids.push((await queueCallback(r, `${receiver.origin}/cb`)).messageId);
    r.sender.start();
    await waitFor("receiver!.requests.length >= 1", () => receiver!.requests.length >= 1, {
      timeoutMs: 10_000,
    });
    await r.sender.stop();
    const sent = new Set(receiver.requests.map((q) => String(q.headers["webhook-id"])));
    expect(sent.size).toBeLessThan(30);
    for (const id of ids) {
      const m = await messageRow(r, id);
      expect(m.lease_owner).toBeNull();
      expect(m.state).toBe(sent.has(id) ? "delivered" : "pending");
    }
    // No lease left to run out: another sender takes the rest on its first passes.
    const other = makeSender(r.store, r.clock, r.outbound, "sender-2", new Map());
    let more = 0;
    for (let n = await other.runOnce(); n > 0; n = await other.runOnce()) more += n;
    expect(sent.size + more).toBe(30);
    const seen = receiver.requests.map((q) => String(q.headers["webhook-id"]));
    expect(new Set(seen).size).toBe(30);
    expect(seen).toHaveLength(30);
  });

  it("different outcomes recorded in one cycle each keep their own state, times and error", async () => {
    rig = await openRig(dialect);
    const r = rig;
    receiver = await startReceiver((req, res) => {
      if (req.url === "/fail") res.writeHead(500).end("broken");
      else if (req.url === "/gone") res.writeHead(410).end();
      else res.end("ok");
    });
    const queued = [];
    for (const path of ["/ok", "/fail", "/gone", "/fail", "/ok", "/gone", "/ok"])
      queued.push({ path, ...(await queueCallback(r, `${receiver.origin}${path}`)) });
    const t = r.clock.now();
    // One pass: all seven are claimed together, and their attempts are written together.
    expect(await r.sender.runOnce()).toBe(7);
    for (const q of queued) {
      const m = await messageRow(r, q.messageId);
      const [a, ...more] = await attemptRows(r, q.messageId);
      expect(more).toEqual([]);
      if (q.path === "/ok") {
        expect(m).toMatchObject({ state: "delivered", delivered_at: t, next_at: t });
        expect(a).toMatchObject({ outcome: "delivered", status_code: 200, error_class: null, next_at: null });
      } else if (q.path === "/gone") {
        expect(m).toMatchObject({ state: "failed", delivered_at: null });
        expect(a).toMatchObject({ outcome: "failed", status_code: 410, error_class: "http_status" });
      } else {
        expect(m).toMatchObject({
          state: "pending",
          delivered_at: null,
          round_attempts: 1,
          lease_owner: null,
        });
        expect(m.next_at).toBeGreaterThanOrEqual(t + SCHEDULE[0] * 0.9);
        expect(m.next_at).toBeLessThanOrEqual(t + SCHEDULE[0] * 1.1);
        expect(a).toMatchObject({ outcome: "retry", status_code: 500, response_excerpt: "broken" });
        expect(a!.next_at).toBe(m.next_at);
      }
    }
    expect(r.hooks.sort()).toEqual(
      ["delivered:SUCCESS", "delivered:SUCCESS", "delivered:SUCCESS"]
        .concat(["givenUp:SUCCESS", "givenUp:SUCCESS"])
        .sort(),
    );
  });
});
