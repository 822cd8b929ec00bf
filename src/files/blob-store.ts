import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { mkdir, open, rename, rm, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { HooklineError } from "../lib/errors.js";
import { type ScannedBlob, scanBlobs } from "./blob-scan.js";
import { HEAD_BYTES, isNotFound, restrictMode, syncDir, writeAll } from "./fs-util.js";
import { sweepTempArea, type TempSweep, tempFolderName, thisProcess } from "./temp-area.js";

/**
 * Blob storage on local disk. Keys are random, never derived from user input, so no request can
 * name a path. Writes land in this process's temp folder `root/tmp/<pid>-<random>@<place>` first (same
 * filesystem), are fsynced and then renamed into `root/ab/cd/<key>`: a crash leaves at worst a stray temp file,
 * never a half blob under a key, and the stray file is found by its dead process's folder (temp-area.ts).
 * Folders are 0700 and blobs 0600: they are users' files, and other local users have no business reading them.
 */
export interface BlobStore {
  /** This process's temp folder. */
  readonly tempDir: string;
  /** A fresh temp path inside this process's temp folder for a writer (ffmpeg, a download) to fill; then `commit` it. */
  tempPath(ext?: string): string;
  /** fsync + move a filled temp file under a new random key. */
  commit(tempPath: string): Promise<{ key: string; size: number }>;
  /** Streams `source` to a new blob; past `maxBytes` it stops with `payload_too_large` and removes the temp file. */
  writeStream(
    source: NodeJS.ReadableStream | AsyncIterable<Uint8Array>,
    opts: { maxBytes: number },
  ): Promise<{ key: string; size: number; head: Uint8Array }>;
  /** Local path of a blob (ffmpeg reads it directly). Throws for a malformed key. */
  pathOf(key: string): string;
  exists(key: string): Promise<boolean>;
  /** Removes a blob; deleting a missing blob is not an error. */
  delete(key: string): Promise<void>;
  /**
   * Removes the temp folders of dead processes of this machine at once, elsewhere temp files older than
   * `maxAgeMs`, and empty folders of other processes after `idleFolderMs` (default 24 h); answers what went.
   */
  sweepTemp(maxAgeMs: number, now: number, idleFolderMs?: number): Promise<TempSweep>;
  /** Up to `limit` blobs after the key `after` in key order, and the cursor to go on from (null at the end). */
  scan(after: string | null, limit: number): Promise<{ blobs: ScannedBlob[]; next: string | null }>;
}

const KEY_RE = /^[0-9a-f]{32}$/;
const EXT_RE = /^\.?([A-Za-z0-9]{1,16})$/;

/**
 * Creates the store's folders (0700; an existing root or temp area readable by others is restricted, with a
 * warning) and answers a store rooted at `root` (the server passes `<dataDir>/files`).
 */
export async function createLocalBlobStore(root: string): Promise<BlobStore> {
  const base = resolve(root);
  const tmpRoot = join(base, "tmp");
  const self = thisProcess();
  const own = tempFolderName(self, randomBytes(4).toString("hex"));
  const tmpDir = join(tmpRoot, own);
  await mkdir(tmpDir, { recursive: true, mode: 0o700 });
  await restrictMode(base, 0o700);
  await restrictMode(tmpRoot, 0o700);
  // Another process removes this folder when it stays empty for a day (temp-area.ts): make it again if so.
  const ensureTempDir = () => mkdirSync(tmpDir, { recursive: true, mode: 0o700 });

  const pathOf = (key: string): string => {
    // The key is the only input to the path: refuse anything that is not one we made.
    if (!KEY_RE.test(key)) throw new HooklineError("internal", "malformed blob key");
    return join(base, key.slice(0, 2), key.slice(2, 4), key);
  };

  /** Moves a synced temp file under a new key and makes the rename itself durable. */
  const place = async (tmp: string): Promise<string> => {
    const key = randomBytes(16).toString("hex");
    const target = pathOf(key);
    await mkdir(dirname(target), { recursive: true, mode: 0o700 });
    await rename(tmp, target);
    await syncDir(dirname(target));
    return key;
  };

  return {
    tempDir: tmpDir,

    tempPath(ext) {
      ensureTempDir();
      const m = ext === undefined ? null : EXT_RE.exec(ext);
      // An unusable extension is dropped rather than trusted: it may come from a user's file name.
      const suffix = m?.[1] === undefined ? "" : `.${m[1]}`;
      return join(tmpDir, `${randomBytes(12).toString("hex")}${suffix}`);
    },

    async commit(tempPath) {
      const tmp = resolve(tempPath);
      if (dirname(tmp) !== tmpDir) throw new HooklineError("internal", "commit needs a path from tempPath()");
      const fh = await open(tmp, "r+");
      let size: number;
      try {
        size = (await fh.stat()).size;
        // Written by another program (ffmpeg, a download) with the default mode.
        await fh.chmod(0o600);
        await fh.sync();
      } finally {
        await fh.close();
      }
      return { key: await place(tmp), size };
    },

    async writeStream(source, opts) {
      ensureTempDir();
      const tmp = join(tmpDir, randomBytes(12).toString("hex"));
      const fh = await open(tmp, "wx", 0o600);
      const headParts: Buffer[] = [];
      let headLen = 0;
      let size = 0;
      try {
        for await (const chunk of source) {
          const buf = typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk);
          size += buf.byteLength;
          if (size > opts.maxBytes) {
            throw new HooklineError("payload_too_large", `the file is larger than ${opts.maxBytes} bytes`);
          }
          if (headLen < HEAD_BYTES) {
            const take = buf.subarray(0, HEAD_BYTES - headLen);
            headParts.push(take);
            headLen += take.byteLength;
          }
          await writeAll(fh, buf);
        }
        await fh.sync();
      } catch (err) {
        await fh.close().catch(() => {});
        await rm(tmp, { force: true });
        throw err;
      }
      await fh.close();
      return { key: await place(tmp), size, head: new Uint8Array(Buffer.concat(headParts)) };
    },

    pathOf,

    async exists(key) {
      try {
        return (await stat(pathOf(key))).isFile();
      } catch (err) {
        if (isNotFound(err)) return false;
        throw err;
      }
    },

    async delete(key) {
      await rm(pathOf(key), { force: true });
    },

    sweepTemp(maxAgeMs, now, idleFolderMs = 24 * 3_600_000) {
      return sweepTempArea(tmpRoot, own, self, { now, staleMs: maxAgeMs, idleFolderMs });
    },

    scan: (after, limit) => scanBlobs(base, after, limit),
  };
}
