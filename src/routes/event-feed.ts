import type { Kysely } from "kysely";
import {
  attemptsOfOwnerBetween,
  type CallbackState,
  callbackStates,
  lastAttemptId,
} from "../outbox/index.js";
import type { Database } from "../store/index.js";
import { ownedTasks, tasksChangedSince } from "../tasks/index.js";

/** One `task` event of the stream. */
export interface TaskEvent {
  readonly taskId: string;
  readonly status: string;
  readonly callbackState: CallbackState;
}

/**
 * How far back each look re-reads, so that a change is not missed when it lands out of order: another process's
 * clock a little behind ours (updated_at), or a transaction that took an attempt id before a later one committed.
 * What was seen already is remembered over that margin and not sent twice.
 */
const TIME_MARGIN_MS = 5_000;
const ID_MARGIN = 200;
/** At most this many rows per look and kind; a busier key's changes come over the next looks. */
const BATCH = 1_000;

/**
 * What changed on one key's tasks since the last look, read from the database (so that changes made by any process
 * sharing it are seen): tasks by `updated_at`, callback attempts by id.
 */
export class TaskFeed {
  #since: number;
  #afterAttempt = 0;
  readonly #seenTasks = new Map<string, number>();
  readonly #seenAttempts = new Set<number>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly ownerId: string,
    now: number,
  ) {
    this.#since = now;
  }

  /** Takes note of what is there already: the first look sends nothing. */
  async prime(): Promise<void> {
    this.#afterAttempt = await lastAttemptId(this.db);
    await this.#changedTasks();
    await this.#changedAttemptTasks();
  }

  /** The events of what changed since the last look, oldest first, one per task. */
  async next(): Promise<TaskEvent[]> {
    const changed = await this.#changedTasks();
    const attempted = await this.#changedAttemptTasks();
    const statuses = new Map(changed.map((c) => [c.id, c.status]));
    const missing = attempted.filter((id) => !statuses.has(id));
    for (const t of await ownedTasks(this.db, this.ownerId, missing)) statuses.set(t.id, t.status);
    const ids = [...statuses.keys()];
    const states = await callbackStates(this.db, ids);
    return ids.map((id) => ({
      taskId: id,
      status: statuses.get(id) ?? "",
      callbackState: states.get(id) ?? "none",
    }));
  }

  async #changedTasks() {
    const rows = await tasksChangedSince(this.db, this.ownerId, this.#since - TIME_MARGIN_MS, BATCH);
    const fresh = rows.filter((r) => this.#seenTasks.get(r.id) !== r.updatedAt);
    for (const r of fresh) {
      this.#seenTasks.set(r.id, r.updatedAt);
      this.#since = Math.max(this.#since, r.updatedAt);
    }
    for (const [id, at] of this.#seenTasks) if (at < this.#since - TIME_MARGIN_MS) this.#seenTasks.delete(id);
    return fresh;
  }

  async #changedAttemptTasks(): Promise<string[]> {
    const top = await lastAttemptId(this.db);
    const from = Math.max(0, this.#afterAttempt - ID_MARGIN);
    const rows = await attemptsOfOwnerBetween(this.db, this.ownerId, from, top, BATCH);
    const fresh = rows.filter((r) => !this.#seenAttempts.has(r.id));
    for (const r of fresh) this.#seenAttempts.add(r.id);
    // A full batch leaves the rest for the next look.
    this.#afterAttempt = rows.length === BATCH ? (rows[rows.length - 1]?.id ?? top) : top;
    for (const id of this.#seenAttempts)
      if (id <= this.#afterAttempt - ID_MARGIN) this.#seenAttempts.delete(id);
    return [...new Set(fresh.map((r) => r.taskId))];
  }
}
