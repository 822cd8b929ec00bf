/**
 * What a data folder's blob tree holds, read straight from the disk and the `files` table: for tests that check
 * that refused uploads, crashes and the reconciler leave no bytes that nothing points at.
 */
import { readdir } from "node:fs/promises";
import { join, relative } from "node:path";
import type { BlobStore } from "../../src/files/index.js";
import type { Store } from "../../src/store/index.js";

const KEY = /^[0-9a-f]{32}$/;

/** Every file under `dir`, recursively, as paths relative to `dir` (empty when `dir` is missing). */
export async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch((e: unknown) => {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw e;
  });
  return entries.filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name)));
}

/** The blob keys stored under `<root>/ab/cd/<key>` (the temp area is not a blob). */
export async function blobKeys(root: string): Promise<string[]> {
  const all = await filesUnder(root);
  return all
    .filter((p) => !p.startsWith("tmp"))
    .map((p) => p.split(/[\\/]/).pop() ?? "")
    .filter((name) => KEY.test(name));
}

/** Blobs under `<dataDir>/files` that no file row references. */
export async function strayBlobs(dataDir: string, store: Store): Promise<string[]> {
  const keys = await blobKeys(join(dataDir, "files"));
  const rows = await store.db.selectFrom("files").select("storage_key").execute();
  const referenced = new Set(rows.map((r) => r.storage_key));
  return keys.filter((k) => !referenced.has(k));
}

/** Blobs of any store (an S3 bucket, say) that no file row references, found through the store's own scan. */
export async function strayObjects(blobs: BlobStore, store: Store): Promise<string[]> {
  const keys: string[] = [];
  let after: string | null = null;
  do {
    const page: Awaited<ReturnType<BlobStore["scan"]>> = await blobs.scan(after, 1000);
    keys.push(...page.blobs.map((b) => b.key));
    after = page.next;
  } while (after !== null);
  const rows = await store.db.selectFrom("files").select("storage_key").execute();
  const referenced = new Set(rows.map((r) => r.storage_key));
  return keys.filter((k) => !referenced.has(k));
}
