import type { Logger } from "../lib/logger.js";
import type { Store } from "../store/index.js";
import { padToPowerOfTwo } from "../store/index.js";
import { type Family, toTask } from "../tasks/index.js";
import { type AttemptRecord, writeAttempt } from "./outbox.js";

/**
 * Group commit for attempt records: attempts that finish close together are written in one transaction. Each
 * caller still waits until its own record is durable, so nothing is acknowledged before it is on disk.
 */
export class AttemptWriter {
  #pending: { record: AttemptRecord; resolve: () => void; reject: (e: unknown) => void }[] = [];
  #flushing: Promise<void> | null = null;

  constructor(
    private readonly store: Store,
    private readonly owner: string,
    private readonly families: ReadonlyMap<string, Family>,
    private readonly log: Logger,
  ) {}

  write(record: AttemptRecord): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ record, resolve, reject });
      if (!this.#flushing) this.#flushing = this.#drain();
    });
  }

  /** Resolves when everything written so far is committed. */
  async flush(): Promise<void> {
    while (this.#flushing) await this.#flushing;
  }

  async #drain(): Promise<void> {
    // Let the attempts finishing in this tick join the batch.
    await new Promise((r) => setImmediate(r));
    while (this.#pending.length > 0) {
      const batch = this.#pending.splice(0, 500);
      try {
        await this.store.transact(async (trx) => {
          const finals: AttemptRecord[] = [];
          for (const { record } of batch) {
            const applied = await writeAttempt(trx, this.owner, record);
            if (applied && record.outcome !== "retry") finals.push(record);
          }
          if (finals.length === 0) return;
          // One read for the whole batch: the hooks need the tasks of delivered and given-up messages only.
          const rows = await trx
            .selectFrom("tasks")
            .selectAll()
            .where("id", "in", padToPowerOfTwo(finals.map((r) => r.message.task_id)))
            .execute();
          const byId = new Map(rows.map((row) => [row.id, row]));
          for (const record of finals) {
            const row = byId.get(record.message.task_id);
            const family = row ? this.families.get(row.family) : undefined;
            const hook = record.outcome === "delivered" ? family?.onDelivered : family?.onDeliveryGivenUp;
            if (row && family && hook) await hook.call(family, trx, toTask(row));
          }
        });
        for (const p of batch) p.resolve();
      } catch (error) {
        this.log.error({ err: error }, "writing callback attempts failed");
        for (const p of batch) p.reject(error);
      }
    }
    this.#flushing = null;
  }
}
