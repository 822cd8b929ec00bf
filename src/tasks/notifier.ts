/**
 * Wake-ups. Inside one process the API wakes the runner and the runner wakes the sender at once, so nobody waits
 * for a poll interval. `poke()` also tells other processes (PostgreSQL NOTIFY, when configured); `wake()` stays
 * local. Polling remains the fallback, so a lost wake-up costs latency, never work.
 */
export class Notifier {
  #waiters = new Set<() => void>();
  #publish: (() => void) | null = null;
  #wakes = 0;

  /** How many wake-ups there have been (a waiter that was busy can tell that something happened meanwhile). */
  get wakes(): number {
    return this.#wakes;
  }

  /** Sets how a poke reaches other processes. */
  publishWith(publish: (() => void) | null): void {
    this.#publish = publish;
  }

  /** Wakes local waiters and tells other processes. */
  poke(): void {
    this.wake();
    this.#publish?.();
  }

  /** Wakes everyone waiting in this process. */
  wake(): void {
    this.#wakes++;
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const wake of waiters) wake();
  }

  /**
   * Resolves at the next wake-up or after `ms`, whichever comes first; at once when `signal` aborts (a waiter that
   * leaves keeps no timer or listener behind).
   */
  wait(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(done);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#waiters.add(done);
      if (signal?.aborted) done();
      else signal?.addEventListener("abort", done, { once: true });
    });
  }
}
