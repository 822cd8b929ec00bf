import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { mkdir, open, rm } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { HooklineError } from "../lib/errors.js";
import { HEAD_BYTES, restrictMode, writeAll } from "./fs-util.js";
import { sweepTempArea, type TempSweep, tempFolderName, thisProcess } from "./temp-area.js";

/** A source of bytes a store accepts: a Node stream, or any async iterable of chunks. */
export type ByteSource = NodeJS.ReadableStream | AsyncIterable<Uint8Array>;

/** A filled temp file: not a blob yet (`commit` makes it one), and its first bytes for sniffing. */
export interface TempFile {
  readonly path: string;
  readonly size: number;
  readonly head: Uint8Array;
}

/**
 * This process's scratch folder, `root/tmp/<pid>-<random>@<place>` (temp-area.ts), on the local disk whatever
 * store keeps the blobs: ffmpeg writes its outputs here, downloads land here, and an S3 store stages objects here.
 */
export interface Scratch {
  readonly dir: string;
  /** A fresh path in the folder; an extension that could name a path is dropped. */
  path(ext?: string): string;
  /** The resolved path when it is one of ours (from `path`), else throws: only those may be committed. */
  own(path: string): string;
  /** Streams `source` to a new temp file; past `maxBytes` it stops with `payload_too_large` and removes it. */
  write(source: ByteSource, maxBytes: number): Promise<TempFile>;
  sweep(maxAgeMs: number, now: number, idleFolderMs?: number): Promise<TempSweep>;
}

const EXT_RE = /^\.?([A-Za-z0-9]{1,16})$/;

/** Creates `root` and `root/tmp` (0700; an existing one readable by others is restricted, with a warning). */
export async function openScratch(root: string): Promise<Scratch> {
  const base = resolve(root);
  const tmpRoot = join(base, "tmp");
  const self = thisProcess();
  const own = tempFolderName(self, randomBytes(4).toString("hex"));
  const dir = join(tmpRoot, own);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await restrictMode(base, 0o700);
  await restrictMode(tmpRoot, 0o700);
  // Another process removes this folder when it stays empty for a day (temp-area.ts): make it again if so.
  const ensure = () => mkdirSync(dir, { recursive: true, mode: 0o700 });

  return {
    dir,
    path(ext) {
      ensure();
      const m = ext === undefined ? null : EXT_RE.exec(ext);
      // An unusable extension is dropped rather than trusted: it may come from a user's file name.
      const suffix = m?.[1] === undefined ? "" : `.${m[1]}`;
      return join(dir, `${randomBytes(12).toString("hex")}${suffix}`);
    },
    own(path) {
      const p = resolve(path);
      if (dirname(p) !== dir) throw new HooklineError("internal", "commit needs a path from tempPath()");
      return p;
    },
    async write(source, maxBytes) {
      ensure();
      const path = join(dir, randomBytes(12).toString("hex"));
      const fh = await open(path, "wx", 0o600);
      const head = new HeadKeeper();
      let size = 0;
      try {
        for await (const chunk of source) {
          const buf = typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk);
          size += buf.byteLength;
          if (size > maxBytes) throw tooLarge(maxBytes);
          head.add(buf);
          await writeAll(fh, buf);
        }
        await fh.sync();
      } catch (err) {
        await fh.close().catch(() => {});
        await rm(path, { force: true });
        throw err;
      }
      await fh.close();
      return { path, size, head: head.bytes() };
    },
    sweep: (maxAgeMs, now, idleFolderMs = 24 * 3_600_000) =>
      sweepTempArea(tmpRoot, own, self, { now, staleMs: maxAgeMs, idleFolderMs }),
  };
}

/** The refusal of a source past its cap. */
export const tooLarge = (maxBytes: number): HooklineError =>
  new HooklineError("payload_too_large", `the file is larger than ${maxBytes} bytes`);

/** Keeps the first `HEAD_BYTES` of a stream for MIME sniffing. */
export class HeadKeeper {
  private readonly parts: Buffer[] = [];
  private length = 0;
  add(buf: Buffer): void {
    if (this.length >= HEAD_BYTES) return;
    const take = buf.subarray(0, HEAD_BYTES - this.length);
    this.parts.push(take);
    this.length += take.byteLength;
  }
  bytes(): Uint8Array {
    return new Uint8Array(Buffer.concat(this.parts));
  }
}
