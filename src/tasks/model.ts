import type { Logger } from "../lib/logger.js";
import type { CallbackSpec } from "../outbox/index.js";
import type { TaskRow, Tx } from "../store/index.js";

export interface Task {
  readonly id: string;
  readonly ownerId: string;
  readonly family: string;
  readonly status: string;
  readonly action: string | null;
  readonly input: Record<string, unknown>;
  readonly result: Record<string, unknown> | null;
  readonly errorCode: number | null;
  readonly errorMessage: string | null;
  readonly callbackUrl: string | null;
  readonly parentId: string | null;
  readonly dedupeKey: string | null;
  readonly runs: number;
  /** The predicted output held against the key's quota while the task is queued. */
  readonly reservedBytes: number;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly completedAt: number | null;
  /** When its latest run was claimed; null if no runner has taken it yet. */
  readonly startedAt: number | null;
}

/** What a family's action decided: the task's next state, and the callback it causes (if any). */
export interface Outcome {
  readonly status: string;
  readonly result?: Record<string, unknown> | null;
  readonly errorCode?: number | null;
  readonly errorMessage?: string | null;
  /** True when the task is finished (completed_at is set). A waiting state (voice) is not finished. */
  readonly done: boolean;
  readonly callback?: CallbackSpec | null;
  /** Extra writes that must commit with the state change (e.g. a voice profile). */
  readonly commit?: (trx: Tx) => Promise<void>;
}

export interface RunHelpers {
  readonly signal: AbortSignal;
  readonly log: Logger;
  /**
   * Shows a working status while the action runs (e.g. voice `processing_validate`). Written only while this
   * process holds the task's lease; the outcome's status replaces it at the end. Returns whether it was written.
   */
  progress(status: string): Promise<boolean>;
}

/**
 * What a delivery hook is told about the task of a message that ended: the sender reads only this (one narrow
 * read per batch of attempts), because a hook reflects delivery trouble in the task's status and needs no more.
 */
export type DeliveryTask = Pick<Task, "id" | "family" | "status">;

/**
 * A job family plugged into the engine. `run` does the work of one action; `failed` turns an unexpected error
 * into a terminal outcome; the delivery hooks let a family reflect callback trouble in its own status.
 */
export interface Family {
  readonly name: string;
  run(task: Task, helpers: RunHelpers): Promise<Outcome>;
  failed(task: Task, error: Error): Outcome;
  /** Called in the delivery's transaction when every attempt of a message failed. */
  onDeliveryGivenUp?(trx: Tx, task: DeliveryTask): Promise<void>;
  /** Called in the delivery's transaction when a message was delivered. */
  onDelivered?(trx: Tx, task: DeliveryTask): Promise<void>;
}

function parseJson(text: string | null): Record<string, unknown> | null {
  if (text === null) return null;
  const value: unknown = JSON.parse(text);
  return value !== null && typeof value === "object" ? (value as Record<string, unknown>) : null;
}

/** Maps a database row to a Task. */
export function toTask(row: TaskRow): Task {
  return {
    id: row.id,
    ownerId: row.owner_id,
    family: row.family,
    status: row.status,
    action: row.action,
    input: parseJson(row.input) ?? {},
    result: parseJson(row.result),
    errorCode: row.error_code,
    errorMessage: row.error_message,
    callbackUrl: row.callback_url,
    parentId: row.parent_id,
    dedupeKey: row.dedupe_key,
    runs: row.runs,
    reservedBytes: Number(row.reserved_bytes),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    completedAt: row.completed_at === null ? null : Number(row.completed_at),
    startedAt: row.started_at === null ? null : Number(row.started_at),
  };
}
