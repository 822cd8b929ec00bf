import type { Kysely } from "kysely";
import { type Database, exec, query, statement, type Tx } from "../store/index.js";

/**
 * Each key's stored bytes, kept as one counter row per key (`storage_usage`, written only here): the live files'
 * sizes plus the predicted output of its queued tasks. Every change is applied in the transaction of the write it
 * accounts for (a file row, a task insert or completion), so the counter never drifts from them; a submission
 * reads one row instead of summing a key's files.
 */
const ADJUST = statement(
  `insert into storage_usage (owner_id, bytes) values (?, ?)
    on conflict (owner_id) do update set bytes = storage_usage.bytes + excluded.bytes`,
);
const ADD = statement<{ bytes: number | string }>(
  `insert into storage_usage (owner_id, bytes) values (?, ?)
    on conflict (owner_id) do update set bytes = storage_usage.bytes + excluded.bytes
    returning bytes`,
);
const USED = statement<{ bytes: number | string }>("select bytes from storage_usage where owner_id = ?");

/**
 * Adds `delta` bytes (negative to release) to a key's usage, in the caller's transaction.
 *
 * @example
 * await adjustUsage(trx, file.ownerId, file.size); // a file row was inserted in trx
 */
export async function adjustUsage(trx: Tx, ownerId: string, delta: number): Promise<void> {
  if (delta !== 0) await exec(trx, ADJUST, [ownerId, Math.round(delta)]);
}

/** A key's stored bytes: live files plus the predicted output of its queued work. */
export async function usedBytes(db: Kysely<Database>, ownerId: string): Promise<number> {
  const [row] = await query(db, USED, [ownerId]);
  return row === undefined ? 0 : Number(row.bytes);
}

/** Adds `bytes` to a key's usage in the caller's transaction and answers the new total (one statement). */
export async function addUsage(trx: Tx, ownerId: string, bytes: number): Promise<number> {
  const [row] = await query(trx, ADD, [ownerId, Math.round(bytes)]);
  return Number(row?.bytes ?? bytes);
}
