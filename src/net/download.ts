import { createWriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import type { IncomingMessage } from "node:http";
import { pipeline } from "node:stream/promises";
import { HooklineError, toError } from "../lib/errors.js";
import { type ClientContext, requestHeaders, socketSettled } from "./context.js";
import { type GetResponse, openGetSession, skipBody } from "./get.js";
import { fileNameHint, headerValue } from "./headers.js";
import { classifyError, errorMessage, startDeadline } from "./network-errors.js";
import { checkLiteralHost, parseTarget, type Target } from "./target.js";

/** What a finished download wrote. */
export interface DownloadResult {
  bytes: number;
  contentType: string | null;
  /** The URL after redirects, without userinfo. */
  finalUrl: string;
  /** From Content-Disposition or the URL path's last segment. */
  fileNameHint: string | null;
}

/** Options of one download. */
export interface DownloadOptions {
  maxBytes: number;
  /** Covers the whole download: every redirect, the headers and the body. */
  timeoutMs: number;
  signal?: AbortSignal;
}

const MAX_REDIRECTS = 5;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

function unavailable(message: string): HooklineError {
  return new HooklineError("source_unavailable", message);
}

function tooLarge(maxBytes: number): HooklineError {
  return new HooklineError("payload_too_large", `the source is larger than ${maxBytes} bytes`);
}

/** Maps a failure to the download's error codes; file-system errors stay internal, not the source's fault. */
function downloadError(err: unknown, timedOut: boolean, timeoutMs: number): HooklineError {
  if (timedOut) return unavailable(`the download did not finish within ${timeoutMs} ms`);
  if (err instanceof HooklineError) return err;
  if (typeof err === "object" && err !== null && "syscall" in err && "path" in err) return toError(err);
  return unavailable(`the source could not be fetched (${classifyError(err)}): ${errorMessage(err)}`);
}

/** Where a redirect leads; credentials from the first URL travel only to the same origin. */
function follow(location: string, from: Target, first: Target): Target {
  let next: Target;
  try {
    next = parseTarget(location, from.url);
  } catch (err) {
    if (err instanceof HooklineError && err.code === "bad_request")
      throw unavailable("redirect to an unparsable Location");
    throw err;
  }
  if (next.authorization === null && next.url.origin === first.url.origin) {
    return { ...next, authorization: first.authorization };
  }
  return next;
}

/** Refuses what must not be written: an encoded body (never decoded here) or a declared size over the cap. */
function checkBody(res: IncomingMessage, maxBytes: number): void {
  const encoding = headerValue(res.headers, "content-encoding")?.trim().toLowerCase() ?? "identity";
  if (encoding !== "identity" && encoding !== "") {
    throw unavailable(
      `the source answered Content-Encoding: ${encoding.slice(0, 40)} (identity was asked for)`,
    );
  }
  const declared = Number(headerValue(res.headers, "content-length") ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
}

/** Streams the body to `destPath`, counting bytes against the cap as they arrive. */
async function writeBody(got: GetResponse, destPath: string, maxBytes: number, signal: AbortSignal) {
  let bytes = 0;
  try {
    await pipeline(
      got.res,
      async function* cap(source: AsyncIterable<Buffer>) {
        for await (const chunk of source) {
          bytes += chunk.length;
          if (bytes > maxBytes) throw tooLarge(maxBytes);
          yield chunk;
        }
      },
      createWriteStream(destPath),
      { signal },
    );
  } catch (err) {
    // A parse error mid-body reaches the request; the response only says "aborted". Name the real reason.
    throw err instanceof HooklineError ? err : (got.lateError() ?? err);
  }
  return bytes;
}

/** The download of {@link Outbound.download}: streamed to disk, each redirect target vetted again. */
export async function downloadToFile(
  ctx: ClientContext,
  url: string,
  destPath: string,
  opts: DownloadOptions,
): Promise<DownloadResult> {
  const deadline = startDeadline(opts.timeoutMs, opts.signal);
  const session = openGetSession(ctx);
  let writing = false;
  try {
    const first = parseTarget(url);
    let target = first;
    for (let redirects = 0; ; redirects++) {
      checkLiteralHost(target, ctx.policy);
      // identity: a compressed body is never decoded here, so a "gzip bomb" costs nothing (it is refused).
      const headers = requestHeaders(ctx, target, { "accept-encoding": "identity" });
      const got = await session.get(target, headers, deadline.signal);
      const { res } = got;
      const status = res.statusCode ?? 0;
      if (status < 200 || status >= 300) {
        await skipBody(res);
        const location = headerValue(res.headers, "location");
        if (!REDIRECTS.has(status) || location === null) {
          throw unavailable(`the source answered HTTP ${status} (${target.host})`);
        }
        if (redirects >= MAX_REDIRECTS) throw unavailable(`more than ${MAX_REDIRECTS} redirects`);
        target = follow(location, target, first);
        await socketSettled();
        continue;
      }
      checkBody(res, opts.maxBytes);
      writing = true;
      const bytes = await writeBody(got, destPath, opts.maxBytes, deadline.signal);
      return {
        bytes,
        contentType: headerValue(res.headers, "content-type"),
        finalUrl: target.url.toString(),
        fileNameHint: fileNameHint(headerValue(res.headers, "content-disposition"), target.url),
      };
    }
  } catch (err) {
    if (writing) await rm(destPath, { force: true });
    throw downloadError(err, deadline.timedOut(), opts.timeoutMs);
  } finally {
    deadline.dispose();
    session.close();
  }
}
