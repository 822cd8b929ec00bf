import { open } from "node:fs/promises";

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
