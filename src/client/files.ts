/**
 * Signed file URLs (spec 13): downloading a result to disk, reading its headers, deleting uploads. File URLs need
 * no key and answer real HTTP statuses (403 bad signature, 404 unknown, 410 expired).
 */
import { createWriteStream } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { type ErrorKind, HooklineApiError } from "./errors.js";
import type { Transport } from "./http.js";
import { nodeGet } from "./node-get.js";
import { OPERATIONS as O } from "./operations.js";

/** What a download wrote, or what a HEAD told. */
export interface FileInfo {
  /** Size in bytes. */
  bytes: number;
  contentType: string | null;
  /** The name from `Content-Disposition`, if any. */
  fileName: string | null;
}

function fileNameOf(res: Response): string | null {
  const cd = res.headers.get("content-disposition") ?? "";
  const star = /filename\*=UTF-8''([^;]+)/i.exec(cd);
  if (star?.[1]) return decodeURIComponent(star[1]);
  const plain = /filename="?([^";]+)"?/i.exec(cd);
  return plain?.[1] ?? null;
}

function statusError(res: Response, operation: string): HooklineApiError {
  const kinds: Record<number, ErrorKind> = { 403: "forbidden", 404: "not_found", 410: "expired" };
  return new HooklineApiError({
    kind: kinds[res.status] ?? (res.status >= 500 ? "unavailable" : "bad_response"),
    code: 0,
    msg: `HTTP ${res.status}`,
    httpStatus: res.status,
    operation,
  });
}

/** {@link nodeGet}, its failures told as the transport tells them. */
async function nodeFetch(url: string, signal: AbortSignal | undefined): Promise<Response> {
  try {
    return await nodeGet(url, signal);
  } catch (cause) {
    const code = typeof cause === "object" && cause !== null && "code" in cause ? String(cause.code) : "";
    throw new HooklineApiError({
      kind: signal?.aborted ? "aborted" : "network",
      code: 0,
      msg: signal?.aborted
        ? "aborted by the caller"
        : `cannot reach ${new URL(url).origin} (${code || String(cause)})`,
      operation: `GET ${url.split("?")[0]}`,
      cause,
    });
  }
}

/** The file endpoints. */
export function filesApi(t: Transport) {
  return {
    /**
     * Downloads a file URL (a result or upload URL Hookline produced) to `path`, atomically: the bytes go to a
     * temporary file renamed into place when complete, so a cut download never leaves a partial file behind.
     *
     * @example
     * await client.files.download(record.response.audioWavUrl, "./song.wav");
     */
    async download(url: string, path: string, opts: { signal?: AbortSignal } = {}): Promise<FileInfo> {
      const res = t.globalFetch
        ? await nodeFetch(url, opts.signal)
        : await t.send(O.fileDownload, { ...opts, timeoutMs: 0 }, url);
      if (res.status !== 200 || !res.body) {
        await res.body?.cancel();
        throw statusError(res, `GET ${url.split("?")[0]}`);
      }
      await mkdir(dirname(path), { recursive: true });
      const tmp = `${path}.part-${process.pid}-${Date.now()}`;
      const out = createWriteStream(tmp);
      try {
        await pipeline(Readable.fromWeb(res.body as never), out, opts.signal ? { signal: opts.signal } : {});
        await rename(tmp, path);
      } catch (error) {
        await rm(tmp, { force: true });
        throw error instanceof HooklineApiError
          ? error
          : new HooklineApiError({
              kind: opts.signal?.aborted ? "aborted" : "network",
              code: 0,
              msg: `download cut off: ${(error as Error).message}`,
              operation: `GET ${url.split("?")[0]}`,
              cause: error,
            });
      }
      return {
        bytes: out.bytesWritten,
        contentType: res.headers.get("content-type"),
        fileName: fileNameOf(res),
      };
    },
    /** `HEAD` of a file URL: its size, type and name, without the bytes. */
    async info(url: string, opts: { signal?: AbortSignal } = {}): Promise<FileInfo> {
      const res = await t.send(O.fileHead, opts, url);
      if (res.status !== 200) throw statusError(res, `HEAD ${url.split("?")[0]}`);
      return {
        bytes: Number(res.headers.get("content-length") ?? 0),
        contentType: res.headers.get("content-type"),
        fileName: fileNameOf(res),
      };
    },
    /** Deletes an uploaded file by its `filePath` (spec 13); tracks registered from it stay listed. */
    delete: (filePath: string, opts: { signal?: AbortSignal; headers?: Record<string, string> } = {}) =>
      t.call<typeof O.deleteFile, { filePath: string; deleted: boolean }>(O.deleteFile, {
        params: { filePath },
        ...opts,
      }),
  };
}
