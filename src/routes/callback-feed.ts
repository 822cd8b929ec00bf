import type { Kysely } from "kysely";
import { attemptHeaders, type SenderExtension } from "../delivery/index.js";
import type { SigningRow } from "../keys/index.js";
import { HooklineError } from "../lib/errors.js";
import { messagesOfOwnerAfter, type StreamCursor, type StreamedMessage } from "../outbox/index.js";
import type { Database } from "../store/index.js";

/** One `callback` event of the stream: the message as stored, signed as an attempt of this moment signs it. */
export interface CallbackEvent {
  readonly messageId: string;
  readonly taskId: string;
  readonly event: string;
  /** The headers an attempt sends (content type, user agent, signatures): forward them as they are. */
  readonly headers: Record<string, string>;
  /** The exact JSON text the signatures cover: forward it byte for byte. */
  readonly body: string;
}

/**
 * How far back each look re-reads, so that a message is not missed when it lands out of order (another process's
 * clock a little behind ours, a transaction that committed after a later one). What was sent already is remembered
 * over that margin and not sent twice. A resumed stream starts this far before its cursor too: a client may see a
 * message again after a reconnection (the CLI drops repeats by message id), but loses none.
 */
export const MARGIN_MS = 5_000;
/** At most this many messages per look; a busier key's come over the next looks. */
const BATCH = 200;

const CURSOR = /^(\d{1,15})\.([\w-]{0,100})$/;

/** The `id:` of an event: the stream's place, opaque to clients (they send it back as `Last-Event-ID`). */
export function encodeCursor(c: StreamCursor): string {
  return Buffer.from(`${c.createdAt}.${c.id}`).toString("base64url");
}

/** A `Last-Event-ID` read back; a malformed one is refused (`bad_request`). */
export function decodeCursor(text: string): StreamCursor {
  const m = CURSOR.exec(Buffer.from(text, "base64url").toString("utf8"));
  if (!m?.[1] || m[2] === undefined)
    throw new HooklineError("bad_request", "Last-Event-ID is not a cursor of this stream");
  return { createdAt: Number(m[1]), id: m[2] };
}

const isAfter = (a: StreamCursor, b: StreamCursor) =>
  a.createdAt > b.createdAt || (a.createdAt === b.createdAt && a.id > b.id);

/** The later of two places. */
export const later = (a: StreamCursor, b: StreamCursor) => (isAfter(a, b) ? a : b);

/**
 * A key's new callback messages, read from the database at each look (so that messages another process enqueued
 * are seen), each at most once, never one at or before `floor`.
 */
export class CallbackFeed {
  #last: StreamCursor;
  #full = false;
  readonly #seen = new Map<string, number>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly ownerId: string,
    private readonly floor: StreamCursor,
  ) {
    this.#last = floor;
  }

  /** Whether the last look read everything there was (a full batch leaves the rest for the next look). */
  get caughtUp(): boolean {
    return !this.#full;
  }

  /** The messages enqueued since the last look, oldest first. */
  async next(): Promise<StreamedMessage[]> {
    const margin = { createdAt: this.#last.createdAt - MARGIN_MS, id: "" };
    // After a full batch the rest is read on from where it ended, not from the margin again.
    const from = this.#full ? this.#last : isAfter(margin, this.floor) ? margin : this.floor;
    const rows = await messagesOfOwnerAfter(this.db, this.ownerId, from, BATCH);
    this.#full = rows.length === BATCH;
    const fresh = rows.filter((r) => !this.#seen.has(r.id));
    for (const r of fresh) this.#seen.set(r.id, r.created_at);
    const newest = rows.at(-1);
    if (newest && isAfter({ createdAt: newest.created_at, id: newest.id }, this.#last))
      this.#last = { createdAt: newest.created_at, id: newest.id };
    for (const [id, at] of this.#seen) if (at < this.#last.createdAt - MARGIN_MS) this.#seen.delete(id);
    return fresh;
  }
}

/**
 * The event of a message: signed at `now` with the key's signing material, through the sender's extension (a
 * message whose simulation asks for a bad signature gets one here too, so that it reaches the laptop as well).
 */
export function callbackEvent(
  message: StreamedMessage,
  key: SigningRow,
  now: number,
  extension: Pick<SenderExtension, "signingFor"> | undefined,
): CallbackEvent {
  const signing = extension?.signingFor ? extension.signingFor(message, key) : key;
  return {
    messageId: message.id,
    taskId: message.task_id,
    event: message.event,
    headers: attemptHeaders(message, signing, now),
    body: message.body,
  };
}
