import type { Kysely } from "kysely";
import type { Database, Store } from "../store/index.js";
import type { BlobStore } from "./blob-store.js";

/** How the reconciler paces itself. */
export interface ReconcilerOptions {
  /**
   * A blob younger than this is never removed, row or not: a blob exists before the row that points at it
   * commits (an upload: the probe, at most 30 s; a WAV: the outcome's commit; a cover: the rendering of its other
   * image, bounded by the image service's timeout). One hour is far beyond any of these, and costs only an hour of
   * disk for a refused upload whose removal failed. Default 1 hour.
   */
  readonly graceMs?: number;
  /** Blobs looked at per pass (the walk resumes where it stopped). Default 2000. */
  readonly blobsPerPass?: number;
  /** Keys per database lookup. Default 500 (well under SQLite's and PostgreSQL's parameter limits). */
  readonly batch?: number;
  /** Live file rows checked per pass for a missing blob, which is only reported. Default 500. */
  readonly rowsPerPass?: number;
}

/** What one pass did. */
export interface ReconcilePass {
  /** Blobs looked at, and how many of them no live row pointed at and were old enough to go. */
  readonly scanned: number;
  readonly removed: number;
  /** True when the walk reached the end of the tree and starts over next time. */
  readonly wrapped: boolean;
  /** Live rows looked at, and how many of them have no blob (retention or a 404 deals with those). */
  readonly rowsChecked: number;
  readonly rowsMissingBlob: number;
}

/**
 * Removes blobs that no file row references, a bounded step at a time: each `pass` walks the next part of the
 * blob tree, looks its keys up in batches, and removes those that no live row (not deleted, not expired) points
 * at and that are older than the grace period. A blob whose row is deleted or expired is garbage too: its removal
 * was interrupted (a crash between marking the row and removing the bytes). It also checks the next rows for a
 * missing blob, only to report them. Several processes may run it on one tree: removing twice is harmless.
 */
export function createBlobReconciler(store: Store, blobs: BlobStore, opts: ReconcilerOptions = {}) {
  const graceMs = opts.graceMs ?? 3_600_000;
  const blobsPerPass = opts.blobsPerPass ?? 2000;
  const batch = opts.batch ?? 500;
  const rowsPerPass = opts.rowsPerPass ?? 500;
  let blobCursor: string | null = null;
  let rowCursor = "";

  return {
    async pass(now: number): Promise<ReconcilePass> {
      const { blobs: seen, next } = await blobs.scan(blobCursor, blobsPerPass);
      blobCursor = next;
      let removed = 0;
      const old = seen.filter((b) => now - b.writtenAt > graceMs).map((b) => b.key);
      for (let i = 0; i < old.length; i += batch) {
        const keys = old.slice(i, i + batch);
        const live = await liveKeys(store.db, keys);
        for (const key of keys) {
          if (live.has(key)) continue;
          await blobs.delete(key);
          removed++;
        }
      }
      const rows = await liveRowsAfter(store.db, rowCursor, rowsPerPass, now);
      rowCursor = rows.length < rowsPerPass ? "" : (rows[rows.length - 1]?.id ?? "");
      let missing = 0;
      for (const row of rows) if (!(await blobs.exists(row.storage_key))) missing++;
      return {
        scanned: seen.length,
        removed,
        wrapped: next === null,
        rowsChecked: rows.length,
        rowsMissingBlob: missing,
      };
    },
  };
}

/** The keys among `keys` that a live file row (not deleted, not expired) points at. */
async function liveKeys(db: Kysely<Database>, keys: readonly string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await db
    .selectFrom("files")
    .select("storage_key")
    .where("storage_key", "in", keys)
    .where("deleted_at", "is", null)
    .where("expired_at", "is", null)
    .execute();
  return new Set(rows.map((r) => r.storage_key));
}

/** The next live, unexpired rows by id after `after` (keyset paging: no offset to grow). */
function liveRowsAfter(db: Kysely<Database>, after: string, limit: number, now: number) {
  return db
    .selectFrom("files")
    .select(["id", "storage_key"])
    .where("id", ">", after)
    .where("deleted_at", "is", null)
    .where("expired_at", "is", null)
    .where((eb) => eb.or([eb("expires_at", "is", null), eb("expires_at", ">", now)]))
    .orderBy("id")
    .limit(limit)
    .execute();
}
