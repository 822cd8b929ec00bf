/**
 * Processing each callback message once although it may arrive many times (at-least-once delivery, retries,
 * manual redeliveries), keyed on the message id (`webhook-id`). The store is pluggable; an in-memory one is the
 * default, {@link openSqliteIdempotencyStore} is a durable one.
 */

/** What a claim found. */
export type ClaimState =
  /** Nobody had it: the caller now holds it and must `complete` or `release` it. */
  | "claimed"
  /** Another request is processing it right now (its lease has not run out). */
  | "in_flight"
  /** It was processed already. */
  | "done";

/**
 * Where message ids are remembered. `claim` must be atomic: two concurrent claims of one id cannot both answer
 * `claimed` (the in-flight marker). Times are ms since the epoch, given by the caller so that tests control them.
 */
export interface IdempotencyStore {
  /** Marks `key` in flight until `now + leaseMs` unless it is done or held by a live lease. */
  claim(key: string, now: number, leaseMs: number): Promise<ClaimState>;
  /** Marks `key` done, remembered until `now + ttlMs`. */
  complete(key: string, now: number, ttlMs: number): Promise<void>;
  /** Drops the in-flight marker (processing failed: the next delivery processes it again). */
  release(key: string): Promise<void>;
  /** Frees resources (files, connections). */
  close?(): Promise<void>;
}

interface Entry {
  state: "in_flight" | "done";
  until: number;
}

/**
 * A bounded in-memory store: entries expire (`until`), and beyond `maxEntries` the oldest are forgotten. Good for
 * one process; a restart forgets everything, so use a durable store when duplicates after a restart matter.
 *
 * @example
 * const handler = createCallbackHandler({ keys, onCallback, idempotency: new MemoryIdempotencyStore({ maxEntries: 50_000 }) });
 */
export class MemoryIdempotencyStore implements IdempotencyStore {
  readonly #entries = new Map<string, Entry>();
  readonly #max: number;

  constructor(options: { maxEntries?: number } = {}) {
    this.#max = options.maxEntries ?? 10_000;
  }

  /** How many ids are remembered now. */
  get size(): number {
    return this.#entries.size;
  }

  async claim(key: string, now: number, leaseMs: number): Promise<ClaimState> {
    const entry = this.#entries.get(key);
    if (entry && entry.until > now) return entry.state;
    this.#set(key, { state: "in_flight", until: now + leaseMs }, now);
    return "claimed";
  }

  async complete(key: string, now: number, ttlMs: number): Promise<void> {
    this.#set(key, { state: "done", until: now + ttlMs }, now);
  }

  async release(key: string): Promise<void> {
    const entry = this.#entries.get(key);
    if (entry?.state === "in_flight") this.#entries.delete(key);
  }

  #set(key: string, entry: Entry, now: number): void {
    // Re-insert so that Map order is last-touched order: the first entries are the oldest.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    if (this.#entries.size <= this.#max) return;
    for (const [k, e] of this.#entries) {
      if (e.until <= now) this.#entries.delete(k);
    }
    for (const k of this.#entries.keys()) {
      if (this.#entries.size <= this.#max) break;
      this.#entries.delete(k);
    }
  }
}
