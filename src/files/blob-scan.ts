import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { isNotFound } from "./fs-util.js";

/** A blob as a scan of the tree sees it. */
export interface ScannedBlob {
  readonly key: string;
  /**
   * When its bytes were last written or it was moved under its key (the later of mtime and ctime: a rename sets
   * ctime, so a temp file written long ago and committed now counts as new).
   */
  readonly writtenAt: number;
}

const HEX2 = /^[0-9a-f]{2}$/;
const KEY = /^[0-9a-f]{32}$/;

/**
 * Up to `limit` blobs with keys after `after` (null: from the start), in key order; `next` is the cursor for the
 * following call, null once the end of the tree is reached. The tree is `base/ab/cd/<abcd…>`, so key order is
 * path order and a scan can stop and resume anywhere without keeping more than one folder's names in memory.
 */
export async function scanBlobs(
  base: string,
  after: string | null,
  limit: number,
): Promise<{ blobs: ScannedBlob[]; next: string | null }> {
  const from = after ?? "";
  const blobs: ScannedBlob[] = [];
  for (const top of await subfolders(base, (n) => n >= from.slice(0, 2))) {
    for (const sub of await subfolders(join(base, top), (n) => top + n >= from.slice(0, 4))) {
      const dir = join(base, top, sub);
      const names = await readdir(dir).catch(noneIfGone);
      const keys = names.filter((n) => KEY.test(n) && n.startsWith(top + sub) && n > from).sort();
      for (const key of keys) {
        const writtenAt = await lastWritten(join(dir, key));
        if (writtenAt !== null) blobs.push({ key, writtenAt });
        if (blobs.length >= limit) return { blobs, next: key };
      }
    }
  }
  return { blobs, next: null };
}

async function subfolders(dir: string, keep: (name: string) => boolean): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(noneIfGone);
  return entries
    .filter((e) => e.isDirectory() && HEX2.test(e.name) && keep(e.name))
    .map((e) => e.name)
    .sort();
}

async function lastWritten(path: string): Promise<number | null> {
  try {
    const s = await stat(path);
    return s.isFile() ? Math.max(s.mtimeMs, s.ctimeMs) : null;
  } catch (error) {
    if (isNotFound(error)) return null; // removed while we looked
    throw error;
  }
}

function noneIfGone(error: unknown): never[] {
  if (isNotFound(error)) return [];
  throw error;
}
