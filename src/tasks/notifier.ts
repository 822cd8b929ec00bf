/**
 * In-process wake-ups: the API pokes the runner or the sender when it queued something, so one process never
 * waits for its own poll interval. Other processes find the work by polling (and on PostgreSQL, NOTIFY).
 */
export class Notifier {
  #waiters = new Set<() => void>();

  /** Wakes everyone waiting. */
  poke(): void {
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const wake of waiters) wake();
  }

  /** Resolves at the next poke or after `ms`, whichever comes first. */
  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#waiters.add(done);
    });
  }
}
