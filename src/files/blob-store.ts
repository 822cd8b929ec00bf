import { randomBytes } from "node:crypto";
import { mkdir, open, rename, rm, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import type { Readable } from "node:stream";
import { HooklineError } from "../lib/errors.js";
import { type ScannedBlob, scanBlobs } from "./blob-scan.js";
import { isNotFound, syncDir } from "./fs-util.js";
import { type ByteSource, openScratch, type TempFile } from "./scratch.js";
import type { TempSweep } from "./temp-area.js";

/** A stored blob made readable as a local file for a program that needs a path (ffmpeg). */
export interface LocalCopy {
  readonly path: string;
  /** Gives the copy back: removes it when it was made for the caller, does nothing for the store's own file. */
  release(): Promise<void>;
}

/** What a presigned download says about the file it serves. */
export interface PresignRequest {
  readonly expiresInS: number;
  /** The headers the download answers with (the file route's own values). */
  readonly contentDisposition: string;
  readonly contentType: string;
}

/**
 * Where blobs live: local disk (`createLocalBlobStore`) or an S3-compatible bucket (`createS3BlobStore`). Keys are
 * random 32-hex, never derived from user input, so no request can name a place. No caller needs a stored blob's
 * local path: a program that reads a file asks for a {@link LocalCopy}, the file route reads a byte range.
 *
 * Every store has a local scratch area, `root/tmp/<pid>-<random>@<place>` (temp-area.ts): writers (ffmpeg, a
 * download) fill a temp file there, then `commit` makes it a blob. A crash leaves at worst a stray temp file, never
 * a half blob under a key, and the stray file is found by its dead process's folder.
 */
export interface BlobStore {
  /** This process's temp folder. */
  readonly tempDir: string;
  /** A fresh temp path inside this process's temp folder for a writer (ffmpeg, a download) to fill; then `commit` it. */
  tempPath(ext?: string): string;
  /**
   * Streams `source` to a new temp file (not a blob: `commit` makes it one, or the caller removes it); past
   * `maxBytes` it stops with `payload_too_large` and removes the file. For a caller that reads the bytes again
   * before keeping them (an upload's probe): on S3 that costs no round trip.
   */
  writeTemp(source: ByteSource, opts: { maxBytes: number }): Promise<TempFile>;
  /** Stores a filled temp file under a new random key; the temp file is gone afterwards, whatever the outcome. */
  commit(tempPath: string): Promise<{ key: string; size: number }>;
  /** Streams `source` to a new blob; past `maxBytes` it stops with `payload_too_large`, leaving nothing behind. */
  writeStream(
    source: ByteSource,
    opts: { maxBytes: number },
  ): Promise<{ key: string; size: number; head: Uint8Array }>;
  /**
   * A local file with the blob's bytes, for ffmpeg. Its inputs must be seekable (MP4/M4A put their index at the
   * end), so a remote blob is streamed into the scratch area first rather than handed over as a URL or a pipe.
   * Throws `source_unavailable` for a missing blob; call `release` when done.
   */
  local(key: string, signal?: AbortSignal): Promise<LocalCopy>;
  /** The blob's size, or null when there is none. */
  stat(key: string): Promise<{ size: number } | null>;
  /** The bytes `start`..`end` (inclusive) of a blob; throws `not_found` for a missing one. */
  read(key: string, range: { start: number; end: number }): Promise<Readable>;
  exists(key: string): Promise<boolean>;
  /** Removes a blob; deleting a missing blob is not an error. */
  delete(key: string): Promise<void>;
  /**
   * A URL that serves the blob without Hookline for `expiresInS` seconds, or null when the store cannot make one
   * (local disk) or is not configured to.
   */
  presign(key: string, req: PresignRequest): Promise<string | null>;
  /**
   * Removes the temp folders of dead processes of this machine at once, elsewhere temp files older than
   * `maxAgeMs`, and empty folders of other processes after `idleFolderMs` (default 24 h); answers what went.
   */
  sweepTemp(maxAgeMs: number, now: number, idleFolderMs?: number): Promise<TempSweep>;
  /** Up to `limit` blobs after the key `after` in key order, and the cursor to go on from (null at the end). */
  scan(after: string | null, limit: number): Promise<{ blobs: ScannedBlob[]; next: string | null }>;
  /** Lets go of connections (S3); the local store has none. */
  close(): Promise<void>;
}

const KEY_RE = /^[0-9a-f]{32}$/;

/** Refuses a key the store did not make: the key is the only input to a path or an object name. */
export function checkKey(key: string): string {
  if (!KEY_RE.test(key)) throw new HooklineError("internal", "malformed blob key");
  return key;
}

/** A new random blob key. */
export const newBlobKey = (): string => randomBytes(16).toString("hex");

/**
 * Blob storage on local disk, rooted at `root` (the server passes `<dataDir>/files`): temp files are fsynced and
 * then renamed into `root/ab/cd/<key>` (same filesystem). Folders are 0700 and blobs 0600: they are users'
 * files, and other local users have no business reading them.
 */
export async function createLocalBlobStore(root: string): Promise<BlobStore> {
  const base = resolve(root);
  const scratch = await openScratch(base);

  const pathOf = (key: string): string => join(base, key.slice(0, 2), key.slice(2, 4), checkKey(key));

  /** Moves a synced temp file under a new key and makes the rename itself durable. */
  const place = async (tmp: string): Promise<string> => {
    const key = newBlobKey();
    const target = pathOf(key);
    await mkdir(dirname(target), { recursive: true, mode: 0o700 });
    await rename(tmp, target);
    await syncDir(dirname(target));
    return key;
  };

  const stored = async (key: string) => {
    try {
      const s = await stat(pathOf(key));
      return s.isFile() ? s : null;
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  };

  return {
    tempDir: scratch.dir,
    tempPath: (ext) => scratch.path(ext),
    writeTemp: (source, opts) => scratch.write(source, opts.maxBytes),

    async commit(tempPath) {
      const tmp = scratch.own(tempPath);
      try {
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
      } catch (err) {
        await rm(tmp, { force: true });
        throw err;
      }
    },

    async writeStream(source, opts) {
      const temp = await scratch.write(source, opts.maxBytes);
      return { key: await place(temp.path), size: temp.size, head: temp.head };
    },

    async local(key) {
      const path = pathOf(key);
      if ((await stored(key)) === null)
        throw new HooklineError("source_unavailable", "the stored file is missing");
      // The store's own file: nothing to give back.
      return { path, release: async () => undefined };
    },

    async stat(key) {
      const s = await stored(key);
      return s === null ? null : { size: s.size };
    },

    async read(key, range) {
      // Opened before the stream is handed over, so a missing blob is an error here rather than in the answer.
      const fh = await open(pathOf(key), "r").catch((err: unknown) => {
        if (isNotFound(err)) throw new HooklineError("not_found", "the stored file is missing");
        throw err;
      });
      return fh.createReadStream({ start: range.start, end: range.end });
    },

    exists: async (key) => (await stored(key)) !== null,

    async delete(key) {
      await rm(pathOf(key), { force: true });
    },

    presign: async () => null,
    sweepTemp: (maxAgeMs, now, idleFolderMs) => scratch.sweep(maxAgeMs, now, idleFolderMs),
    scan: (after, limit) => scanBlobs(base, after, limit),
    close: async () => undefined,
  };
}
