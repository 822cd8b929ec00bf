import { performance } from "node:perf_hooks";
import type { SigningRow } from "../keys/index.js";
import {
  type AttemptRecord,
  type ClaimedMessage,
  claimMessages,
  type MessageRow,
  releaseMessages,
  renewMessageLeases,
} from "../outbox/index.js";
import type { Tx } from "../store/index.js";
import type { LeaseLoopOptions } from "../tasks/index.js";
import { type AttemptOptions, attempt } from "./attempt.js";
import { recordAttempts } from "./record.js";

/**
 * What is plugged into the sender at composition (failure simulation is one, src/simulation); the sender itself
 * knows of none and calls these at two points.
 */
export interface SenderExtension {
  /** The signing material an attempt of `message` is signed with, in place of its key's own. */
  signingFor?(message: MessageRow, signing: SigningRow): SigningRow;
  /**
   * Runs in the cycle's transaction once a batch of attempts is written; `moved`: the ids of the messages those
   * attempts changed (a record whose lease was lost changes nothing).
   */
  afterRecorded?(trx: Tx, records: readonly AttemptRecord[], moved: ReadonlySet<string>): Promise<void>;
}

export interface SenderOptions extends AttemptOptions, LeaseLoopOptions {
  readonly extension?: SenderExtension;
  /**
   * The most callbacks in flight at once from this process to one host (`host:port`); all of `concurrency` when
   * not given. A receiver that never answers then holds only its share of the slots.
   */
  readonly perHost?: number;
}

export interface Sender {
  start(): void;
  /** Stops claiming and waits for the POSTs in flight (each bounded by the receiver timeout). */
  stop(): Promise<void>;
  /** Claims the due messages once and sends them (tests drive retries with this and a ManualClock). */
  runOnce(): Promise<number>;
}

/** An attempt waiting for the next cycle to record it. */
interface Pending {
  readonly record: AttemptRecord;
  readonly done: () => void;
}

/**
 * The callback sender: claims due outbox messages by lease, POSTs them signed through the guarded client, and
 * records every attempt with the retry decision. Bookkeeping runs in cycles, one transaction each: the attempts
 * that finished since the last cycle are recorded and, in the same transaction, as many messages are claimed as
 * slots came free. A burst of deliveries costs one commit per cycle rather than two statements and a commit
 * per message, and no attempt is acknowledged (its slot and lease released) before its record is committed.
 */
export function createSender(opts: SenderOptions): Sender {
  const { store, clock, log } = opts;
  // Leases of messages in flight are renewed while their POST runs, so a lease can be shorter than the receiver
  // timeout and a dead sender's messages are taken over within one lease.
  const leased = new Set<string>();
  let renewTimer: NodeJS.Timeout | null = null;
  /** POSTs running; each ends by queueing its attempt in `pending`. */
  const posting = new Set<Promise<void>>();
  /**
   * Claimed ahead, waiting for a slot: when a POST ends, the next one starts at once instead of after the next
   * cycle's commit (measured: the sender otherwise idled ~14 % of a drain with every slot waiting on a cycle).
   * Their leases are held and renewed like those in flight, and given back on stop.
   */
  const ready: ClaimedMessage[] = [];
  const ahead = Math.ceil(opts.concurrency / 2);
  const perHost = Math.min(opts.perHost ?? opts.concurrency, opts.concurrency);
  // A host may hold half its cap again claimed ahead, like the process as a whole; with no cap this is the
  // process's own bound, so claims go as before.
  const claimCap = perHost + Math.ceil(perHost / 2);
  /** Messages claimed and not finished (in flight or ready), by host: what the claim may add to. */
  const held = new Map<string, number>();
  /** POSTs in flight, by host. */
  const flying = new Map<string, number>();
  /**
   * Set when a claim that left out the hosts at their cap found nothing else due: claims that would leave out
   * the same hosts (or more) are not tried again until `until` (`performance.now()` ms) unless a wake-up has
   * announced new messages since (`news`), so that a full host with a long backlog is not scanned past on every
   * cycle.
   */
  let fruitless: { full: ReadonlySet<string>; until: number; news: number } | null = null;
  /**
   * The sender wakes its own loop when a POST ends; other wake-ups of `messages` say that new messages were queued
   * (a completion, a redelivery, another process), which a fruitless claim could not have seen.
   */
  let ownWakes = 0;
  const wakeSelf = () => {
    ownWakes++;
    opts.messages.wake();
  };
  const news = () => opts.messages.wakes - ownWakes;
  const add = (map: Map<string, number>, host: string, n: number) => {
    const v = (map.get(host) ?? 0) + n;
    if (v > 0) map.set(host, v);
    else map.delete(host);
  };
  let pending: Pending[] = [];
  let cycling: Promise<number> = Promise.resolve(0);
  let stopping = false;
  let loop: Promise<void> | null = null;

  /** Starts POSTs from `ready` while slots are free, oldest first, skipping hosts at their cap (not while stopping). */
  function refill(): void {
    for (let i = 0; !stopping && posting.size < opts.concurrency && i < ready.length; ) {
      const next = ready[i];
      if (next && (flying.get(next.host) ?? 0) < perHost) {
        ready.splice(i, 1);
        launch(next);
      } else i++;
    }
  }

  /** Starts the POST of a claimed message; its lease is held until its attempt is committed. */
  function launch({ message, host, signing }: ClaimedMessage): void {
    const release = () => leased.delete(message.id);
    add(flying, host, 1);
    const signWith =
      signing && opts.extension?.signingFor ? opts.extension.signingFor(message, signing) : signing;
    const p: Promise<void> = attempt(opts, message, signWith)
      .then((record) => {
        pending.push({ record, done: release });
      })
      .catch((error: unknown) => {
        release();
        log.error(
          { err: error, messageId: message.id },
          "callback attempt failed before it could be recorded",
        );
      })
      .finally(() => {
        posting.delete(p);
        add(flying, host, -1);
        add(held, host, -1);
        refill();
        wakeSelf();
      });
    posting.add(p);
  }

  /**
   * One transaction: records every pending attempt and claims up to `limit` messages, then launches them.
   * Cycles never overlap. Answers how many messages were claimed.
   */
  function cycle(limit: number): Promise<number> {
    const next = cycling.then(async () => {
      const batch = pending;
      pending = [];
      let claimed: ClaimedMessage[] = [];
      let moved = new Set<string>();
      try {
        await store.transact(async (trx) => {
          if (batch.length > 0) {
            const records = batch.map((p) => p.record);
            moved = await recordAttempts(trx, opts.owner, opts.families, records);
            await opts.extension?.afterRecorded?.(trx, records, moved);
          }
          if (limit > 0) claimed = await claimFair(trx, limit);
        });
      } catch (error) {
        // Nothing of this cycle committed: the batch's messages keep their leases, which run out, and they are
        // sent again (at-least-once). Their slots are freed so that the sender goes on.
        log.error({ err: error }, "recording callback attempts or claiming failed");
        for (const p of batch) p.done();
        return 0;
      }
      for (const p of batch) {
        p.done();
        const r = p.record;
        if (r.outcome === "failed" && moved.has(r.message.id))
          log.warn({ messageId: r.message.id, taskId: r.message.task_id }, "callback given up");
      }
      for (const c of claimed) {
        leased.add(c.message.id);
        add(held, c.host, 1);
        ready.push(c);
      }
      refill();
      return claimed.length;
    });
    cycling = next.catch(() => 0);
    return next;
  }

  /**
   * Claims up to `limit` messages, no host past its cap. A claim takes the oldest due messages of the hosts not
   * yet full and trims each host to its room; when it filled a host and still had room, the rows it trimmed may
   * have hidden other hosts' messages behind that host's backlog, so it claims again without the hosts now full.
   * Each pass fills at least one more host, so there are no more passes than hosts.
   */
  async function claimFair(trx: Tx, limit: number): Promise<ClaimedMessage[]> {
    const inUse = new Map(held);
    const out: ClaimedMessage[] = [];
    while (out.length < limit) {
      const full = new Set([...inUse].filter(([, n]) => n >= claimCap).map(([host]) => host));
      const known = fruitless;
      if (
        known &&
        full.size > 0 &&
        performance.now() < known.until &&
        known.news === news() &&
        [...known.full].every((h) => full.has(h))
      )
        break;
      const got = await claimMessages(trx, opts.owner, limit - out.length, clock.now(), opts.leaseMs, {
        inUse,
        perHost: claimCap,
      });
      for (const c of got) add(inUse, c.host, 1);
      out.push(...got);
      const filled = got.some((c) => (inUse.get(c.host) ?? 0) >= claimCap);
      if (!filled) {
        if (out.length < limit && full.size > 0)
          fruitless = { full, until: performance.now() + opts.pollMs, news: news() };
        break;
      }
    }
    return out;
  }

  /** Records what is pending (cycles without claims) until nothing is. */
  async function flush(): Promise<void> {
    await cycling;
    while (pending.length > 0) await cycle(0);
  }

  // With nothing to record, claim only for a quarter of the slots (up to 16) under load: a cycle is a commit.
  const batchFloor = Math.max(1, Math.min(16, Math.floor(opts.concurrency / 4)));

  async function run(): Promise<void> {
    let backlog = true;
    while (!stopping) {
      // Let the POSTs that end in this turn of the event loop join the cycle.
      await new Promise((r) => setImmediate(r));
      // Slots of POSTs that ended are free (their attempts wait in `pending`); `ready` holds up to `ahead` more.
      const free = opts.concurrency + ahead - posting.size - ready.length;
      const idle = posting.size === 0 && ready.length === 0;
      const claim = free > 0 && (pending.length > 0 || free >= batchFloor || idle || !backlog);
      if (pending.length > 0 || claim) {
        const n = await cycle(claim ? free : 0);
        if (claim) backlog = n === free;
        if (pending.length > 0 || (claim && backlog)) continue;
      }
      if (stopping) break;
      await opts.messages.wait(opts.pollMs);
    }
  }

  function renew(): void {
    if (leased.size === 0) return;
    renewMessageLeases(store.db, opts.owner, [...leased], clock.now() + opts.leaseMs).catch(
      (error: unknown) => log.error({ err: error }, "renewing callback leases failed"),
    );
  }

  return {
    start() {
      if (loop) return;
      stopping = false;
      renewTimer = setInterval(renew, Math.max(50, Math.floor(opts.leaseMs / 3)));
      loop = run();
    },
    async stop() {
      stopping = true;
      wakeSelf();
      await loop;
      loop = null;
      // Claimed ahead but not sent: their leases are given back, so they are sent at once after a restart or by
      // another process, not after their leases run out.
      const unsent = ready.splice(0).map((r) => {
        add(held, r.host, -1);
        return r.message.id;
      });
      for (const id of unsent) leased.delete(id);
      await releaseMessages(store.db, opts.owner, unsent).catch((error: unknown) =>
        log.error({ err: error }, "giving back unsent callbacks failed"),
      );
      await Promise.all([...posting]);
      await flush();
      if (renewTimer) clearInterval(renewTimer);
      renewTimer = null;
    },
    async runOnce() {
      const n = await cycle(opts.concurrency - posting.size - ready.length);
      while (posting.size > 0) await Promise.all([...posting]);
      await flush();
      return n;
    },
  };
}
