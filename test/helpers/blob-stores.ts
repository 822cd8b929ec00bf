/**
 * The file stores the file suites loop over, like the databases in db.ts: local disk always, and S3 always
 * (s3rver is a dev dependency, so a real S3-protocol server is at hand everywhere the tests run).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { loadConfig } from "../../src/config/index.js";
import { type BlobStore, createLocalBlobStore } from "../../src/files/index.js";
import { createS3BlobStore } from "../../src/files/s3-store.js";
import { silentLogger } from "../../src/lib/logger.js";
import { blobKeys } from "./blobs.js";
import { startS3, type TestS3 } from "./s3.js";

export type BlobStoreKind = "local" | "s3";

export const blobStoreKinds = (): BlobStoreKind[] => ["local", "s3"];

export interface TestBlobStore {
  readonly store: BlobStore;
  /** The local folder: the blob tree (local) or only the scratch area's root (S3). */
  readonly root: string;
  /** The S3 server behind an S3 store, else null. */
  readonly s3: TestS3 | null;
  /** The object key prefix the S3 store uses ("" for local). */
  readonly prefix: string;
  close(): Promise<void>;
}

/**
 * A fresh, empty store of the given kind. The S3 one uses a key prefix (`t/`) so that every suite also checks that
 * the prefix is honoured; `env` adds settings (`HOOKLINE_S3_PRESIGNED_DOWNLOADS`).
 */
export async function freshBlobStore(
  kind: BlobStoreKind,
  env: Record<string, string> = {},
): Promise<TestBlobStore> {
  const dir = await mkdtemp(join(tmpdir(), `hookline-${kind}-`));
  const root = join(dir, "files");
  if (kind === "local") {
    return {
      store: await createLocalBlobStore(root),
      root,
      s3: null,
      prefix: "",
      close: () => rm(dir, { recursive: true, force: true }),
    };
  }
  const s3 = await startS3();
  const settings = loadConfig({ ...s3.env, HOOKLINE_S3_PREFIX: "t/", ...env }).s3;
  if (settings === null) throw new Error("no S3 settings");
  const store = await createS3BlobStore({
    scratchRoot: root,
    s3: settings,
    log: silentLogger,
    timeoutMs: 5_000,
  });
  return {
    store,
    root,
    s3,
    prefix: settings.prefix,
    async close() {
      await store.close();
      await s3.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A blob's bytes, read through the store's range read. */
export async function readBlob(store: BlobStore, key: string): Promise<Buffer> {
  const found = await store.stat(key);
  if (found === null) throw new Error(`no blob ${key}`);
  if (found.size === 0) return Buffer.alloc(0);
  const parts: Buffer[] = [];
  for await (const chunk of await store.read(key, { start: 0, end: found.size - 1 }))
    parts.push(Buffer.from(chunk));
  return Buffer.concat(parts);
}

/** The blob keys a store holds, looked up without the store: the tree on disk, or the bucket's listing. */
export async function storedKeys(t: TestBlobStore): Promise<string[]> {
  if (t.s3 === null) return blobKeys(t.root);
  const res = await t.s3.client.send(new ListObjectsV2Command({ Bucket: t.s3.bucket, Prefix: t.prefix }));
  return (res.Contents ?? []).map((o) => (o.Key ?? "").slice(t.prefix.length));
}
