import { HooklineError } from "../lib/errors.js";
import type { Notifier } from "../tasks/index.js";

/** What each server-sent event stream may hold: each keeps a connection and polls the database once a second. */
export const STREAM = {
  perKey: 4,
  total: 200,
  pollMs: 1_000,
  /** A comment line this often keeps proxies, which close idle connections, from closing the stream. */
  pingMs: 15_000,
  /** A client that reads slower than its events come is let go rather than buffered for. */
  maxBuffered: 1 << 20,
} as const;

/** The head of every event stream's answer (no proxy buffering or transforming it). */
export const SSE_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache, no-transform",
  "x-accel-buffering": "no",
} as const;

/**
 * What the server-sent event streams share (the task events and the callback stream): limits on how many are
 * open, per key and in all, with a stop for each; and the pause between two looks at the database.
 */
export class StreamGate {
  readonly #perKey = new Map<string, number>();
  readonly #stops = new Set<AbortController>();

  /** `what`: the streams' name in the refusal ("event streams"). */
  constructor(
    readonly what: string,
    readonly perKeyLimit: number = STREAM.perKey,
    readonly totalLimit: number = STREAM.total,
  ) {}

  get open(): number {
    return this.#stops.size;
  }

  /** A stop for a new stream of this key, or null when a limit is reached. */
  enter(keyId: string): AbortController | null {
    const mine = this.#perKey.get(keyId) ?? 0;
    if (mine >= this.perKeyLimit || this.#stops.size >= this.totalLimit) return null;
    this.#perKey.set(keyId, mine + 1);
    const stop = new AbortController();
    this.#stops.add(stop);
    return stop;
  }

  /** A stop for a new stream of this key; past a limit, refused (`rate_limited`). */
  admit(keyId: string): AbortController {
    const stop = this.enter(keyId);
    if (stop === null)
      throw new HooklineError(
        "rate_limited",
        `At most ${this.perKeyLimit} ${this.what} per key (${this.totalLimit} in all) may be open at once`,
      );
    return stop;
  }

  leave(keyId: string, stop: AbortController): void {
    if (!this.#stops.delete(stop)) return;
    const mine = (this.#perKey.get(keyId) ?? 1) - 1;
    if (mine > 0) this.#perKey.set(keyId, mine);
    else this.#perKey.delete(keyId);
  }

  stopAll(): void {
    for (const stop of this.#stops) stop.abort();
  }
}

/**
 * Waits for the next look: `pollMs` on, sooner when one of `wakers` is woken (a local change), at once on `stop`.
 * Streams poll the database rather than listen to this process's events, so that changes made by another process
 * sharing a PostgreSQL database arrive too.
 */
export async function nextLook(
  wakers: readonly Notifier[],
  pollMs: number,
  stop: AbortSignal,
): Promise<void> {
  const round = new AbortController();
  const end = () => round.abort();
  stop.addEventListener("abort", end, { once: true });
  await Promise.race(wakers.map((w) => w.wait(pollMs, round.signal)));
  stop.removeEventListener("abort", end);
  round.abort();
}
