import type { Kysely } from "kysely";
import { newId } from "../lib/ids.js";
import { adjustUsage } from "../quota/index.js";
import type { Database, FileTable, Store, Tx } from "../store/index.js";
import type { FileMeta } from "./serve.js";

/** A file row: who owns which stored blob under which path, until when. */
export type FileRecord = FileTable;

export interface NewFile {
  /** Given when the caller must know the id before the row commits (to sign a URL in the same outcome). */
  readonly id?: string;
  readonly ownerId: string;
  readonly path: string;
  readonly fileName: string;
  readonly storageKey: string;
  readonly size: number;
  readonly mimeType: string;
  readonly kind: "upload" | "wav" | "cover";
  readonly expiresAt: number | null;
}

/**
 * Records a stored blob. A file at the same path (same owner) is superseded, not deleted: tracks registered from
 * it keep their bytes (spec 13, "overwriting a file leaves tracks registered from it unchanged").
 */
export async function insertFile(trx: Tx, file: NewFile, now: number): Promise<FileRecord> {
  await trx
    .updateTable("files")
    .set({ superseded_at: now })
    .where("owner_id", "=", file.ownerId)
    .where("path", "=", file.path)
    .where("superseded_at", "is", null)
    .execute();
  const row: FileRecord = {
    id: file.id ?? newId("file"),
    owner_id: file.ownerId,
    path: file.path,
    file_name: file.fileName,
    storage_key: file.storageKey,
    size: file.size,
    mime_type: file.mimeType,
    kind: file.kind,
    created_at: now,
    expires_at: file.expiresAt,
    superseded_at: null,
    deleted_at: null,
    expired_at: null,
  };
  await trx.insertInto("files").values(row).execute();
  await adjustUsage(trx, file.ownerId, file.size);
  return row;
}

export async function getFile(db: Kysely<Database>, id: string): Promise<FileRecord | undefined> {
  return db.selectFrom("files").selectAll().where("id", "=", id).executeTakeFirst();
}

/** The current file at a path of an owner. */
export async function findFileByPath(db: Kysely<Database>, ownerId: string, path: string) {
  return db
    .selectFrom("files")
    .selectAll()
    .where("owner_id", "=", ownerId)
    .where("path", "=", path)
    .where("superseded_at", "is", null)
    .where("deleted_at", "is", null)
    .orderBy("created_at", "desc")
    .executeTakeFirst();
}

/** True while the file's bytes may be served. */
export const isLive = (f: FileRecord, now: number): boolean =>
  f.deleted_at === null && f.expired_at === null && (f.expires_at === null || f.expires_at > now);

/** What the download route needs to know of a file. */
export function fileMeta(f: FileRecord): FileMeta {
  return {
    id: f.id,
    storageKey: f.storage_key,
    fileName: f.file_name,
    mimeType: f.mime_type,
    size: Number(f.size),
    expiresAtMs: f.expires_at === null ? null : Number(f.expires_at),
    deletedAtMs: f.deleted_at === null ? null : Number(f.deleted_at),
    expired: f.expired_at !== null,
  };
}

/**
 * Retention: marks files whose time is up as expired and removes their bytes. Returns how many went. Rows stay,
 * so their links answer 410 rather than 404 (DESIGN invariant 6).
 */
export async function sweepExpired(
  store: Store,
  removeBlob: (key: string) => Promise<void>,
  now: number,
  batch = 500,
): Promise<number> {
  const due = await store.db
    .selectFrom("files")
    .select(["id", "owner_id", "storage_key"])
    .where("expired_at", "is", null)
    .where("deleted_at", "is", null)
    .where("expires_at", "<=", now)
    .limit(batch)
    .execute();
  for (const f of due) {
    const gone = await store.transact((trx) => markGone(trx, f.owner_id, [f.id], { expired_at: now }));
    if (gone.length > 0) await removeBlob(f.storage_key);
  }
  return due.length;
}

/**
 * Marks live files of an owner deleted or expired, in the caller's transaction, and takes their bytes off the
 * owner's usage. Only rows still live change (two processes sweeping at once count each file once); answers the
 * storage keys of those that did, whose blobs the caller then removes.
 */
export async function markGone(
  trx: Tx,
  ownerId: string,
  ids: readonly string[],
  mark: { readonly deleted_at: number } | { readonly expired_at: number },
): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await trx
    .updateTable("files")
    .set(mark)
    .where("id", "in", [...ids])
    .where("owner_id", "=", ownerId)
    .where("deleted_at", "is", null)
    .where("expired_at", "is", null)
    .returning(["storage_key", "size"])
    .execute();
  await adjustUsage(trx, ownerId, -rows.reduce((sum, r) => sum + Number(r.size), 0));
  return rows.map((r) => r.storage_key);
}

/** The ids of an owner's files at `path` (exactly, or every path under it with `under`) not deleted yet. */
async function undeletedAt(trx: Tx, ownerId: string, path: string, under = false): Promise<string[]> {
  const rows = await trx
    .selectFrom("files")
    .select("id")
    .where("owner_id", "=", ownerId)
    .where("path", under ? "like" : "=", under ? `${path}%` : path)
    .where("deleted_at", "is", null)
    .execute();
  return rows.map((r) => r.id);
}

/**
 * Deletes an owner's file at `path` (every version not deleted yet), in the caller's transaction. Answers the
 * storage keys whose blobs the caller then removes (none for a file already expired), or null when there is no
 * such file.
 */
export async function removeAtPath(
  trx: Tx,
  ownerId: string,
  path: string,
  now: number,
): Promise<string[] | null> {
  const ids = await undeletedAt(trx, ownerId, path);
  if (ids.length === 0) return null;
  return markGone(trx, ownerId, ids, { deleted_at: now });
}

/** Deletes an owner's files whose paths start with `prefix` (a task's results), as {@link removeAtPath} does. */
export async function removeUnder(trx: Tx, ownerId: string, prefix: string, now: number): Promise<string[]> {
  return markGone(trx, ownerId, await undeletedAt(trx, ownerId, prefix, true), { deleted_at: now });
}
