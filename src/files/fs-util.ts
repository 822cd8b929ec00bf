import { chmod, open, stat } from "node:fs/promises";

/** The `code` of a Node.js system error (`ENOENT`, `ESRCH`, …), or undefined for anything else. */
export function errnoCode(error: unknown): string | undefined {
  return error instanceof Error && "code" in error && typeof error.code === "string" ? error.code : undefined;
}

export const isNotFound = (error: unknown): boolean => errnoCode(error) === "ENOENT";

type FileHandle = Awaited<ReturnType<typeof open>>;

/** Writes a whole buffer: a single write may be short. */
export async function writeAll(fh: FileHandle, buf: Buffer): Promise<void> {
  let offset = 0;
  while (offset < buf.byteLength) {
    const { bytesWritten } = await fh.write(buf, offset, buf.byteLength - offset);
    offset += bytesWritten;
  }
}

/** fsyncs a folder so that a rename into it survives a power cut. */
export async function syncDir(dir: string): Promise<void> {
  // Some platforms (Windows) cannot open a directory for fsync; the rename is then as durable as it gets.
  try {
    const fh = await open(dir, "r");
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    /* best effort */
  }
}

/**
 * Takes group and other permissions away from `path` when it has any (blobs are users' files; the folders hold
 * them), with a warning: an installation made by an older version, or a hand-made folder, was readable by other
 * local users until now. A folder we may not change (owned by another user) stays as it is, with a warning too.
 */
export async function restrictMode(path: string, mode: 0o700 | 0o600): Promise<void> {
  const before = (await stat(path)).mode & 0o777;
  if ((before & 0o077) === 0) return;
  const was = before.toString(8);
  try {
    await chmod(path, mode);
  } catch (error) {
    process.emitWarning(
      `${path} is readable by other users (mode ${was}) and could not be changed: ${error}`,
      {
        code: "HOOKLINE_PERMISSIONS",
      },
    );
    return;
  }
  process.emitWarning(`${path} was readable by other users (mode ${was}); changed to ${mode.toString(8)}`, {
    code: "HOOKLINE_PERMISSIONS",
  });
}

/** How many leading bytes `writeStream` hands back for content sniffing. */
export const HEAD_BYTES = 4096;

/** The first `HEAD_BYTES` of a file (fewer if it is shorter): what MIME sniffing reads. */
export async function readHead(path: string): Promise<Uint8Array> {
  const handle = await open(path, "r");
  try {
    const buf = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buf, 0, HEAD_BYTES, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
