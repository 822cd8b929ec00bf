import type { ServerResponse } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { createSender, type Sender } from "../../src/delivery/index.js";
import { silentLogger } from "../../src/lib/logger.js";
import { type ClaimedMessage, claimMessages } from "../../src/outbox/index.js";
import { Notifier } from "../../src/tasks/index.js";
import { dialects } from "../helpers/db.js";
import { type Receiver, startReceiver } from "../helpers/receiver.js";
import { waitFor } from "../helpers/wait.js";
import {
  attemptRows,
  JITTER,
  messageRow,
  openRig,
  queueCallback,
  type Rig,
  SCHEDULE,
  SENDER_TIMEOUT_MS,
} from "./rig.js";

/** Slots of the sender under test, and its cap per host. */
const CONCURRENCY = 4;
const PER_HOST = 2;
/**
 * Messages to the receiver that never answers: as many as the sender claims at once (its slots and the half as
 * many it claims ahead), so that without a cap per host they would take every slot.
 */
const SLOW = CONCURRENCY + CONCURRENCY / 2;
const FAST = 6;
/** A receiver that holds every request without answering until told to answer, and counts those it holds. */
interface Holder extends Receiver {
  readonly open: () => number;
  readonly mostOpen: () => number;
  /** Answers the requests held, and every later one at once, with `status`. */
  answer(status: number): void;
}

async function startHolder(): Promise<Holder> {
  let open = 0;
  let most = 0;
  let status: number | null = null;
  const held = new Set<ServerResponse>();
  const receiver = await startReceiver((_req, res) => {
    open++;
    res.once("close", () => {
      open--;
      held.delete(res);
    });
    if (status === null) held.add(res);
    else res.writeHead(status).end();
    // Counted once this turn's I/O is read: a sender that timed out closes its connection before it starts the
    // next request, but both can reach this process in one turn, the new request's handler first.
    setImmediate(() => {
      most = Math.max(most, open);
    });
  });
  return Object.assign(receiver, {
    open: () => open,
    mostOpen: () => most,
    answer(s: number) {
      status = s;
      for (const res of held) res.writeHead(s).end();
    },
  });
}

/**
 * The cap on callbacks in flight per host: a receiver that never answers, with the oldest messages, holds at most
 * its share of the slots, and the other receivers' messages are claimed and sent meanwhile.
 */
describe.each(dialects())("fair delivery per host on %s", (dialect) => {
  let rig: Rig | null = null;
  let sender: Sender | null = null;
  const receivers: Receiver[] = [];
  afterEach(async () => {
    await sender?.stop();
    for (const r of receivers.splice(0)) await r.close();
    await rig?.close();
    sender = null;
    rig = null;
  });

  /** Starts a sender with CONCURRENCY slots and PER_HOST per host on the rig's store (stopped after each test). */
  const startCapped = (
    r: Rig,
    o: { owner: string; pollMs: number; timeoutMs: number; messages?: Notifier },
  ): Sender => {
    const s = createSender({
      store: r.store,
      outbound: r.outbound,
      families: new Map(),
      owner: o.owner,
      concurrency: CONCURRENCY,
      perHost: PER_HOST,
      leaseMs: 30_000,
      pollMs: o.pollMs,
      timeoutMs: o.timeoutMs,
      excerptBytes: 4096,
      policy: { scheduleMs: [...SCHEDULE], jitter: JITTER },
      clock: r.clock,
      log: silentLogger,
      messages: o.messages ?? new Notifier(),
    });
    sender = s;
    s.start();
    return s;
  };

  it("a claim gives no host more than its room, and skips a full host's older backlog", async () => {
    rig = await openRig(dialect);
    const r = rig;
    const queue = async (origin: string, n: number) => {
      const ids: string[] = [];
      for (let i = 0; i < n; i++) ids.push((await queueCallback(r, `${origin}/cb`)).messageId);
      r.clock.advance(1);
      return ids;
    };
    const old = await queue("http://Old.Example:8080", 5);
    const a = await queue("https://a.example", 3);
    const b = await queue("https://a.example:8443", 3);
    const claim = (owner: string, limit: number, inUse: [string, number][], perHost: number) =>
      claimMessages(r.store.db, owner, limit, r.clock.now(), 30_000, { inUse: new Map(inUse), perHost });

    // Room for 2 per host, one of a.example's already in use: the oldest of each host (PostgreSQL returns the
    // claimed rows in no particular order).
    const ids = (claimed: readonly ClaimedMessage[]) => claimed.map((c) => c.message.id).sort();
    const first = await claim("one", 10, [["a.example:443", 1]], 2);
    expect(ids(first)).toEqual([old[0], old[1], a[0], b[0], b[1]].sort());
    const hostOf = (id: string | undefined) => first.find((c) => c.message.id === id)?.host;
    expect([old[0], old[1], a[0], b[0]].map(hostOf)).toEqual([
      ...["old.example:8080", "old.example:8080"],
      ...["a.example:443", "a.example:8443"],
    ]);
    expect(first.every((c) => c.signing?.id === r.key.id)).toBe(true);
    // The old host is full in this process: its three older messages do not hide the others'.
    const second = await claim("two", 10, [["old.example:8080", 2]], 2);
    expect(ids(second)).toEqual([a[1], a[2], b[2]].sort());
    // Nothing but the full host's messages is left: nothing is claimed.
    expect(await claim("three", 10, [["old.example:8080", 2]], 2)).toEqual([]);
  });

  it("a receiver that does not answer holds only its cap; the others' later messages go meanwhile; its own are retried", async () => {
    rig = await openRig(dialect);
    const r = rig;
    const slow = await startHolder();
    const fastA = await startReceiver((_req, res) => res.end("ok"));
    const fastB = await startReceiver((_req, res) => res.end("ok"));
    receivers.push(slow, fastA, fastB);

    // The slow receiver's messages are the oldest: a claim by age alone would hand it every slot.
    const slowIds: string[] = [];
    for (let i = 0; i < SLOW; i++) slowIds.push((await queueCallback(r, `${slow.origin}/cb`)).messageId);
    r.clock.advance(1);
    const fastIds: string[] = [];
    for (let i = 0; i < FAST; i++) {
      fastIds.push((await queueCallback(r, `${fastA.origin}/cb`)).messageId);
      fastIds.push((await queueCallback(r, `${fastB.origin}/cb`)).messageId);
    }

    // The timeout is never reached here: the slow receiver holds its requests until the test has seen the others
    // delivered.
    const s = startCapped(r, { owner: "fair-sender", pollMs: 50, timeoutMs: SENDER_TIMEOUT_MS });

    const delivered = async (ids: readonly string[]) => {
      for (const id of ids) if ((await messageRow(r, id)).state !== "delivered") return false;
      return true;
    };
    await waitFor("the fast receivers' messages to be delivered", () => delivered(fastIds), {
      timeoutMs: 30_000,
      state: () => ({ fastA: fastA.requests.length, fastB: fastB.requests.length, slowOpen: slow.open() }),
    });
    // All of them went while the slow receiver still held its first requests: none has ended, none was recorded.
    expect(slow.requests).toHaveLength(PER_HOST);
    expect(slow.open()).toBe(PER_HOST);
    for (const id of slowIds) expect(await attemptRows(r, id)).toEqual([]);
    expect(fastA.requests).toHaveLength(FAST);
    expect(fastB.requests).toHaveLength(FAST);

    // The slow receiver comes back, answering 503 (it held every request past the point that matters): its backlog
    // is not starved, each message is attempted once its turn comes and scheduled for a retry as any other, never
    // more than the cap at once.
    slow.answer(503);
    const attempted = async (n: number) => {
      for (const id of slowIds) if ((await attemptRows(r, id)).length < n) return false;
      return true;
    };
    await waitFor("every slow message to have its first attempt recorded", () => attempted(1), {
      timeoutMs: 60_000,
      state: () => ({ seen: slow.requests.length, open: slow.open() }),
    });
    let latest = 0;
    for (const id of slowIds) {
      const [a, ...more] = await attemptRows(r, id);
      expect(more).toEqual([]);
      expect(a).toMatchObject({ number: 1, outcome: "retry", error_class: "http_status", status_code: 503 });
      expect(a!.next_at).toBeGreaterThanOrEqual(r.clock.now() + SCHEDULE[0] * (1 - JITTER) - 1);
      expect(a!.next_at).toBeLessThanOrEqual(r.clock.now() + SCHEDULE[0] * (1 + JITTER));
      expect(await messageRow(r, id)).toMatchObject({ state: "pending", lease_owner: null });
      latest = Math.max(latest, a!.next_at!);
    }
    expect(slow.requests).toHaveLength(SLOW);

    // Their retries come due and go out, again no more than the cap at once.
    r.clock.set(latest);
    await waitFor("every slow message to have its retry recorded", () => attempted(2), { timeoutMs: 60_000 });
    await s.stop();
    sender = null;
    for (const id of slowIds)
      expect((await attemptRows(r, id)).map((a) => [a.number, a.outcome, a.status_code])).toEqual([
        [1, "retry", 503],
        [2, "retry", 503],
      ]);
    expect(slow.requests).toHaveLength(2 * SLOW);
    expect(slow.mostOpen()).toBe(PER_HOST);
    expect(new Set(slow.requests.map((q) => String(q.headers["webhook-id"])))).toEqual(new Set(slowIds));
  });

  it("a message queued while a full host's backlog is all that is due goes at the wake-up, not after the poll interval", async () => {
    rig = await openRig(dialect);
    const r = rig;
    const slow = await startHolder();
    const fast = await startReceiver((_req, res) => res.end("ok"));
    receivers.push(slow, fast);
    for (let i = 0; i < SLOW; i++) await queueCallback(r, `${slow.origin}/cb`);
    const messages = new Notifier();
    // A poll interval far longer than the test waits (only the wake-up can send the new message in time), and the
    // slow receiver's requests stay open meanwhile (it answers when the test ends).
    startCapped(r, { owner: "wake-sender", pollMs: 120_000, timeoutMs: 60_000, messages });
    // The slow host is full and nothing else is due: the sender's claim came back empty, and it waits.
    await waitFor("the slow receiver to hold its cap", () => slow.open() === PER_HOST, { timeoutMs: 10_000 });
    await new Promise((res) => setTimeout(res, 200));

    try {
      const { messageId } = await queueCallback(r, `${fast.origin}/cb`);
      messages.wake(); // as the runner does once a completion with a callback commits
      await waitFor(
        "the new message to be delivered",
        async () => (await messageRow(r, messageId)).state === "delivered",
        {
          timeoutMs: 5_000,
        },
      );
      expect(fast.requests).toHaveLength(1);
      expect(slow.open()).toBe(PER_HOST);
    } finally {
      slow.answer(503); // its requests end, so that the sender stops at once
    }
  });
});
