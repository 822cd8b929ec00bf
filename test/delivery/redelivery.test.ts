import { afterEach, describe, expect, it } from "vitest";
import {
  claimMessages,
  enqueueMessage,
  listAttempts,
  listMessages,
  requeueLatest,
} from "../../src/outbox/index.js";
import { dialects } from "../helpers/db.js";
import { type Receiver, startReceiver } from "../helpers/receiver.js";
import { attemptRows, driveToEnd, messageRow, openRig, queueCallback, type Rig, taskStatus } from "./rig.js";

/** DESIGN invariant 3: one stable message id across every attempt, automatic or manual. */
describe.each(dialects())("manual redelivery on %s", (dialect) => {
  let rig: Rig | null = null;
  let receiver: Receiver | null = null;
  afterEach(async () => {
    await receiver?.close();
    await rig?.close();
    receiver = null;
    rig = null;
  });

  /** A receiver that fails until `healthy.ok` is set. */
  async function setup() {
    rig = await openRig(dialect);
    const healthy = { ok: false };
    receiver = await startReceiver((_req, res) => res.writeHead(healthy.ok ? 200 : 500).end());
    return { r: rig, rcv: receiver, healthy };
  }

  it("keeps the webhook-id on every attempt and on a redelivery, which restores SUCCESS", async () => {
    const { r, rcv, healthy } = await setup();
    const { taskId, messageId, body } = await queueCallback(r, `${rcv.origin}/cb`);
    expect(await driveToEnd(r, messageId)).toBe(4);
    expect(await taskStatus(r, taskId)).toBe("CALLBACK_EXCEPTION");

    healthy.ok = true;
    r.clock.advance(3600_000);
    expect(await requeueLatest(r.store, taskId, r.clock.now())).toEqual({
      messageId: messageId,
      outcome: "queued",
    });
    expect(await messageRow(r, messageId)).toMatchObject({
      state: "pending",
      round_attempts: 0,
      total_attempts: 4,
    });
    expect(await r.sender.runOnce()).toBe(1);

    expect(rcv.requests).toHaveLength(5);
    expect(new Set(rcv.requests.map((q) => q.headers["webhook-id"]))).toEqual(new Set([messageId]));
    expect(new Set(rcv.requests.map((q) => q.body))).toEqual(new Set([body]));
    // Each attempt is signed afresh with its own timestamp.
    expect(new Set(rcv.requests.map((q) => q.headers["webhook-timestamp"])).size).toBe(5);

    const attempts = await attemptRows(r, messageId);
    expect(attempts.map((a) => [a.number, a.trigger, a.outcome])).toEqual([
      [1, "auto", "retry"],
      [2, "auto", "retry"],
      [3, "auto", "retry"],
      [4, "auto", "failed"],
      [5, "manual", "delivered"],
    ]);
    expect(await messageRow(r, messageId)).toMatchObject({
      state: "delivered",
      total_attempts: 5,
      round_attempts: 1,
      delivered_at: r.clock.now(),
    });
    expect(r.hooks).toEqual(["givenUp:SUCCESS", "delivered:CALLBACK_EXCEPTION"]);
    expect(await taskStatus(r, taskId)).toBe("SUCCESS");
    // The delivery log the API shows reads the same rows.
    expect(await listAttempts(r.store.db, taskId)).toHaveLength(5);
    expect((await listMessages(r.store.db, taskId))[0]).toMatchObject({ id: messageId, state: "delivered" });
  });

  it("a failing redelivery gets a fresh round of 1 + 3 attempts, then gives up again", async () => {
    const { r, rcv } = await setup();
    const { taskId, messageId } = await queueCallback(r, `${rcv.origin}/cb`);
    expect(await driveToEnd(r, messageId)).toBe(4);
    expect(await requeueLatest(r.store, taskId, r.clock.now())).toEqual({
      messageId: messageId,
      outcome: "queued",
    });
    expect(await driveToEnd(r, messageId)).toBe(4);
    const attempts = await attemptRows(r, messageId);
    expect(attempts.map((a) => a.trigger)).toEqual([
      "auto",
      "auto",
      "auto",
      "auto",
      "manual",
      "auto",
      "auto",
      "auto",
    ]);
    expect(await messageRow(r, messageId)).toMatchObject({
      state: "failed",
      total_attempts: 8,
      round_attempts: 4,
    });
    expect(r.hooks).toEqual(["givenUp:SUCCESS", "givenUp:CALLBACK_EXCEPTION"]);
    expect(await taskStatus(r, taskId)).toBe("CALLBACK_EXCEPTION");
    expect(new Set(rcv.requests.map((q) => q.headers["webhook-id"])).size).toBe(1);
  });

  it("requeues the newest message of a task, and answers null for a task without one", async () => {
    const { r, rcv, healthy } = await setup();
    healthy.ok = true;
    const { taskId, messageId: first } = await queueCallback(r, `${rcv.origin}/cb`);
    await r.sender.runOnce();
    r.clock.advance(1_000);
    const second = await r.store.transact((trx) =>
      enqueueMessage(
        trx,
        { id: taskId, ownerId: r.key.id },
        `${rcv.origin}/cb`,
        { event: "again", body: { n: 2 }, signTaskId: taskId },
        r.clock.now(),
      ),
    );
    await r.sender.runOnce();
    expect(await requeueLatest(r.store, taskId, r.clock.now())).toEqual({
      messageId: second,
      outcome: "queued",
    });
    expect((await messageRow(r, first)).state).toBe("delivered");
    await r.sender.runOnce();
    expect(rcv.requests.map((q) => q.headers["webhook-id"])).toEqual([first, second, second]);
    expect(await requeueLatest(r.store, "no-such-task", r.clock.now())).toBeNull();
  });

  it("leaves a message whose attempt is due or in flight alone, and sends a waiting retry now", async () => {
    const { r, rcv } = await setup();
    const { taskId, messageId } = await queueCallback(r, `${rcv.origin}/cb`);
    // Due now (never attempted): asking again changes nothing, however often.
    for (let i = 0; i < 5; i++) {
      expect(await requeueLatest(r.store, taskId, r.clock.now())).toEqual({ messageId, outcome: "due" });
    }
    expect(await r.sender.runOnce()).toBe(1);
    // Failed once, waiting a minute for its retry: a redelivery sends it now, in a fresh round.
    expect(await messageRow(r, messageId)).toMatchObject({ state: "pending", round_attempts: 1 });
    expect(await requeueLatest(r.store, taskId, r.clock.now())).toEqual({ messageId, outcome: "queued" });
    expect(await requeueLatest(r.store, taskId, r.clock.now())).toEqual({ messageId, outcome: "due" });
    expect(await r.sender.runOnce()).toBe(1);
    expect(rcv.requests).toHaveLength(2);
  });

  it("says when an attempt is being sent (a sender holds the lease), so the route can wait for it to end", async () => {
    const { r } = await setup();
    const { taskId, messageId } = await queueCallback(r, "http://127.0.0.1:9/cb");
    expect(await claimMessages(r.store.db, "another-sender", 1, r.clock.now(), 60_000)).toHaveLength(1);
    expect(await requeueLatest(r.store, taskId, r.clock.now())).toEqual({ messageId, outcome: "sending" });
    r.clock.advance(61_000);
    // The sender died with its lease: the message is due again, not being sent.
    expect(await requeueLatest(r.store, taskId, r.clock.now())).toEqual({ messageId, outcome: "due" });
  });
});
