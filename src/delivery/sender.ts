import type { Clock } from "../lib/clock.js";
import type { Logger } from "../lib/logger.js";
import type { Outbound } from "../net/index.js";
import type { Store } from "../store/index.js";
import type { Family, Notifier } from "../tasks/index.js";
import { type AttemptRecord, recordAttempts } from "./attempts.js";
import {
  claimMessages,
  loadSigningKeys,
  type MessageRow,
  renewMessageLeases,
  type SigningRow,
} from "./outbox.js";
import { decide, type RetryPolicy } from "./policy.js";
import { signatureHeaders } from "./signing.js";

export interface SenderOptions {
  readonly store: Store;
  readonly outbound: Outbound;
  readonly families: ReadonlyMap<string, Family>;
  readonly owner: string;
  readonly concurrency: number;
  readonly leaseMs: number;
  readonly pollMs: number;
  readonly timeoutMs: number;
  readonly excerptBytes: number;
  readonly policy: RetryPolicy;
  readonly clock: Clock;
  readonly log: Logger;
  readonly messages: Notifier;
  readonly userAgent?: string;
  readonly random?: () => number;
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
  let pending: Pending[] = [];
  let cycling: Promise<number> = Promise.resolve(0);
  let stopping = false;
  let loop: Promise<void> | null = null;

  function keysOf(row: SigningRow, now: number) {
    const previous =
      row.previous_webhook_key && row.previous_key_until !== null && row.previous_key_until > now
        ? row.previous_webhook_key
        : null;
    return { current: row.webhook_key, previous, hmacEnabled: row.hmac_enabled === 1 };
  }

  async function post(message: MessageRow, signing: SigningRow | undefined): Promise<AttemptRecord> {
    const startedAt = clock.now();
    const timestamp = Math.floor(startedAt / 1000);
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "user-agent": opts.userAgent ?? "Hookline-Webhooks/0.1",
      ...(signing
        ? signatureHeaders(
            keysOf(signing, startedAt),
            message.id,
            message.sign_task_id,
            message.body,
            timestamp,
          )
        : {}),
    };
    const result = await opts.outbound.post(message.url, message.body, headers, {
      timeoutMs: opts.timeoutMs,
      excerptBytes: opts.excerptBytes,
    });
    const endedAt = clock.now();
    const decision = decide(result, message.round_attempts + 1, opts.policy, opts.random);
    return {
      message,
      trigger: message.round_attempts === 0 && message.total_attempts > 0 ? "manual" : "auto",
      startedAt,
      endedAt,
      latencyMs: result.latencyMs,
      status: result.status,
      errorClass: result.errorClass ?? (decision.outcome === "delivered" ? null : "http_status"),
      errorMessage:
        result.errorMessage ??
        (decision.outcome === "failed" && decision.reason === "gone" ? "receiver answered 410 Gone" : null),
      excerpt: result.excerpt,
      outcome: decision.outcome,
      nextAt: decision.outcome === "retry" ? endedAt + decision.delayMs : null,
    };
  }

  /** Starts the POST of a claimed message; its slot and lease are held until its attempt is committed. */
  function launch(message: MessageRow, signing: SigningRow | undefined): void {
    leased.add(message.id);
    const release = () => leased.delete(message.id);
    const p: Promise<void> = post(message, signing)
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
        opts.messages.wake();
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
      let claimed: MessageRow[] = [];
      let keys = new Map<string, SigningRow>();
      let moved = new Set<string>();
      try {
        await store.transact(async (trx) => {
          if (batch.length > 0)
            moved = await recordAttempts(
              trx,
              opts.owner,
              opts.families,
              batch.map((p) => p.record),
            );
          if (limit > 0) {
            claimed = await claimMessages(trx, opts.owner, limit, clock.now(), opts.leaseMs);
            keys = await loadSigningKeys(
              trx,
              claimed.map((m) => m.owner_id),
            );
          }
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
      for (const message of claimed) launch(message, keys.get(message.owner_id));
      return claimed.length;
    });
    cycling = next.catch(() => 0);
    return next;
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
      // The pending attempts' slots come free in the cycle that records them, so its claim may fill them.
      const free = opts.concurrency - posting.size;
      const claim = free > 0 && (pending.length > 0 || free >= batchFloor || posting.size === 0 || !backlog);
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
      opts.messages.wake();
      await loop;
      loop = null;
      await Promise.all([...posting]);
      await flush();
      if (renewTimer) clearInterval(renewTimer);
      renewTimer = null;
    },
    async runOnce() {
      const n = await cycle(opts.concurrency - posting.size);
      await Promise.all([...posting]);
      await flush();
      return n;
    },
  };
}
