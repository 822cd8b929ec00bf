import type { Clock } from "../lib/clock.js";
import type { Logger } from "../lib/logger.js";
import type { Outbound } from "../net/index.js";
import type { Store } from "../store/index.js";
import type { Family, Notifier } from "../tasks/index.js";
import { AttemptWriter } from "./attempt-writer.js";
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

/**
 * The callback sender: claims due outbox messages by lease, POSTs them signed through the guarded client, and
 * records every attempt with the retry decision. Attempt records are group-committed (AttemptWriter), so a burst
 * of deliveries costs a few transactions rather than one each.
 */
export function createSender(opts: SenderOptions): Sender {
  const { store, clock, log } = opts;
  // Leases of messages in flight are renewed while their POST runs, so a lease can be shorter than the receiver
  // timeout and a dead sender's messages are taken over within one lease.
  const leaseMs = opts.leaseMs;
  const leased = new Set<string>();
  let renewTimer: NodeJS.Timeout | null = null;
  const writer = new AttemptWriter(store, opts.owner, opts.families, log);
  const inFlight = new Set<Promise<void>>();
  let stopping = false;
  let loop: Promise<void> | null = null;

  function keysOf(row: SigningRow, now: number) {
    const previous =
      row.previous_webhook_key && row.previous_key_until !== null && row.previous_key_until > now
        ? row.previous_webhook_key
        : null;
    return { current: row.webhook_key, previous, hmacEnabled: row.hmac_enabled === 1 };
  }

  async function send(message: MessageRow, signing: SigningRow | undefined): Promise<void> {
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
    await writer.write({
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
    });
    if (decision.outcome === "failed") {
      log.warn(
        { messageId: message.id, taskId: message.task_id, reason: decision.reason },
        "callback given up",
      );
    }
  }

  async function claimAndSend(limit: number): Promise<number> {
    let claimed: MessageRow[];
    let keys: Map<string, SigningRow>;
    try {
      claimed = await claimMessages(store, opts.owner, limit, clock.now(), leaseMs);
      if (claimed.length === 0) return 0;
      // Inside the try: a failed read must not kill the send loop; the claimed messages' leases run out and
      // they are sent on a later pass.
      keys = await loadSigningKeys(
        store.db,
        claimed.map((m) => m.owner_id),
      );
    } catch (error) {
      log.error({ err: error }, "claiming callbacks failed");
      return 0;
    }
    for (const message of claimed) {
      leased.add(message.id);
      const p: Promise<void> = send(message, keys.get(message.owner_id))
        .catch((error: unknown) =>
          log.error({ err: error, messageId: message.id }, "callback attempt not recorded"),
        )
        .finally(() => {
          inFlight.delete(p);
          leased.delete(message.id);
          opts.messages.wake();
        });
      inFlight.add(p);
    }
    return claimed.length;
  }

  // Under load, claim in batches: a claim per freed slot would cost one UPDATE … RETURNING per message.
  const batchFloor = Math.max(1, Math.min(16, Math.floor(opts.concurrency / 4)));

  async function run(): Promise<void> {
    let backlog = true;
    while (!stopping) {
      const free = opts.concurrency - inFlight.size;
      if (free > 0 && (free >= batchFloor || inFlight.size === 0 || !backlog)) {
        const n = await claimAndSend(free);
        backlog = n === free;
        if (backlog) continue;
      }
      await opts.messages.wait(opts.pollMs);
    }
  }

  function renew(): void {
    if (leased.size === 0) return;
    renewMessageLeases(store.db, opts.owner, [...leased], clock.now() + leaseMs).catch((error: unknown) =>
      log.error({ err: error }, "renewing callback leases failed"),
    );
  }

  return {
    start() {
      if (loop) return;
      stopping = false;
      renewTimer = setInterval(renew, Math.max(50, Math.floor(leaseMs / 3)));
      loop = run();
    },
    async stop() {
      stopping = true;
      opts.messages.wake();
      await loop;
      loop = null;
      await Promise.all([...inFlight]);
      await writer.flush();
      if (renewTimer) clearInterval(renewTimer);
      renewTimer = null;
    },
    async runOnce() {
      const n = await claimAndSend(opts.concurrency);
      await Promise.all([...inFlight]);
      await writer.flush();
      return n;
    },
  };
}
