import type { Kysely } from "kysely";
import type { Database } from "../store/index.js";
import { MESSAGE_COLUMNS, type MessageRow } from "./claims.js";

/**
 * What the callback stream reads of the outbox: a key's messages in the order they were enqueued, by
 * `(created_at, id)` (index `messages_owner_created`). The stream is a tee: nothing here changes a message.
 */

/** A place in a key's messages: after the message enqueued at `createdAt` with that id. */
export interface StreamCursor {
  readonly createdAt: number;
  readonly id: string;
}

/** A message as the stream carries it: what an attempt signs, plus its event name and enqueuing time. */
export interface StreamedMessage extends MessageRow {
  readonly event: string;
  readonly created_at: number;
}

/** Up to `limit` of the key's messages after `from`, oldest first. */
export async function messagesOfOwnerAfter(
  db: Kysely<Database>,
  ownerId: string,
  from: StreamCursor,
  limit: number,
): Promise<StreamedMessage[]> {
  const rows = await db
    .selectFrom("messages")
    .select([...MESSAGE_COLUMNS, "event", "created_at"])
    .where("owner_id", "=", ownerId)
    // The plain bound lets the planners range-scan the index; the OR alone would scan all the key's messages.
    .where("created_at", ">=", from.createdAt)
    .where((eb) => eb.or([eb("created_at", ">", from.createdAt), eb("id", ">", from.id)]))
    .orderBy("created_at")
    .orderBy("id")
    .limit(limit)
    .execute();
  // PostgreSQL answers bigint columns as text.
  return rows.map((r) => ({ ...r, created_at: Number(r.created_at) }));
}

/**
 * Where a resumed stream starts: at `cursor`, but no earlier than `oldest` (ms) and with at most `most` of the
 * key's messages after it. `cut`: the bound moved the start, so messages enqueued meanwhile may be left out.
 */
export async function boundedReplayStart(
  db: Kysely<Database>,
  ownerId: string,
  cursor: StreamCursor,
  oldest: number,
  most: number,
): Promise<{ start: StreamCursor; cut: boolean }> {
  const tooOld = cursor.createdAt < oldest;
  let start: StreamCursor = tooOld ? { createdAt: oldest, id: "" } : cursor;
  const beyond = await db
    .selectFrom("messages")
    .select(["id", "created_at"])
    .where("owner_id", "=", ownerId)
    .where("created_at", ">=", start.createdAt)
    .where((eb) => eb.or([eb("created_at", ">", start.createdAt), eb("id", ">", start.id)]))
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .offset(most)
    .limit(1)
    .executeTakeFirst();
  if (beyond) start = { createdAt: Number(beyond.created_at), id: beyond.id };
  return { start, cut: tooOld || beyond !== undefined };
}
