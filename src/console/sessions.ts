import { createHash } from "node:crypto";
import type { Kysely } from "kysely";
import { randomToken } from "../lib/ids.js";
import type { ConsoleSessionTable, Database } from "../store/index.js";

/** How long a console session lasts from sign-in; a new sign-in is needed after it. */
export const SESSION_MS = 12 * 3_600_000;
/** How long a `hookline console-link` link can be used (once). */
export const LINK_MS = 10 * 60_000;

/** What a session lets its holder do: a tenant acts as its key; an operator manages keys. */
export type SessionKind = "tenant" | "operator";

export interface Session {
  readonly kind: SessionKind;
  /** The tenant's key id (null for an operator). */
  readonly keyId: string | null;
  readonly expiresAt: number;
}

const hashToken = (token: string) => createHash("sha256").update(token, "utf8").digest("hex");

async function insert(
  db: Kysely<Database>,
  kind: ConsoleSessionTable["kind"],
  keyId: string | null,
  now: number,
  ttlMs: number,
): Promise<{ token: string; expiresAt: number }> {
  // 43 base62 characters: 256 bits, as an API key.
  const token = randomToken(43);
  const expiresAt = now + ttlMs;
  await db
    .insertInto("console_sessions")
    .values({ id: hashToken(token), kind, key_id: keyId, created_at: now, expires_at: expiresAt })
    .execute();
  return { token, expiresAt };
}

/** Opens a session; the token goes into the cookie and nowhere else (the table keeps its hash). */
export function openSession(db: Kysely<Database>, kind: SessionKind, keyId: string | null, now: number) {
  return insert(db, kind, keyId, now, SESSION_MS);
}

/** A one-time link's token: redeemed once within {@link LINK_MS} for an operator session. */
export async function createLink(db: Kysely<Database>, now: number): Promise<string> {
  return (await insert(db, "link", null, now, LINK_MS)).token;
}

/** The live session of a cookie token, or null (unknown, expired, or a link's token). */
export async function sessionOf(db: Kysely<Database>, token: string, now: number): Promise<Session | null> {
  if (token.length === 0 || token.length > 200) return null;
  const row = await db
    .selectFrom("console_sessions")
    .select(["kind", "key_id", "expires_at"])
    .where("id", "=", hashToken(token))
    .executeTakeFirst();
  if (!row || row.kind === "link" || Number(row.expires_at) <= now) return null;
  return { kind: row.kind, keyId: row.key_id, expiresAt: Number(row.expires_at) };
}

/** Ends a session (sign-out). */
export async function endSession(db: Kysely<Database>, token: string): Promise<void> {
  await db.deleteFrom("console_sessions").where("id", "=", hashToken(token)).execute();
}

/**
 * Redeems a one-time link: deleted as it is read, so that of two requests with the same link one wins. Answers
 * whether the link was live.
 */
export async function redeemLink(db: Kysely<Database>, token: string, now: number): Promise<boolean> {
  if (token.length === 0 || token.length > 200) return false;
  const gone = await db
    .deleteFrom("console_sessions")
    .where("id", "=", hashToken(token))
    .where("kind", "=", "link")
    .returning("expires_at")
    .executeTakeFirst();
  return gone !== undefined && Number(gone.expires_at) > now;
}

/** Ends every session of a key (it was revoked). */
export async function endSessionsOfKey(db: Kysely<Database>, keyId: string): Promise<void> {
  await db.deleteFrom("console_sessions").where("key_id", "=", keyId).execute();
}

/** Removes expired sessions and links (the sweeper, every minute). */
export async function pruneSessions(db: Kysely<Database>, now: number): Promise<number> {
  const r = await db.deleteFrom("console_sessions").where("expires_at", "<=", now).executeTakeFirst();
  return Number(r.numDeletedRows);
}
