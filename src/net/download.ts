import { createWriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import { request } from "undici";
import { HooklineError, toError } from "../lib/errors.js";
import { type ClientContext, discardBody, requestHeaders, socketSettled } from "./context.js";
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

/** The download of {@link Outbound.download}: streamed to disk, each redirect target vetted again. */
export async function downloadToFile(
  ctx: ClientContext,
  url: string,
  destPath: string,
  opts: DownloadOptions,
): Promise<DownloadResult> {
  const deadline = startDeadline(opts.timeoutMs, opts.signal);
  let writing = false;
  try {
    const first = parseTarget(url);
    let target = first;
    for (let redirects = 0; ; redirects++) {
      checkLiteralHost(target, ctx.policy);
      const res = await request(target.url, {
        dispatcher: ctx.agent,
        method: "GET",
        headers: requestHeaders(ctx, target),
        signal: deadline.signal,
      });
      const status = res.statusCode;
      if (status < 200 || status >= 300) {
        // Read a little so the socket can be reused; the content is of no interest.
        await res.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
        const location = headerValue(res.headers, "location");
        if (!REDIRECTS.has(status) || location === null) {
          throw unavailable(`the source answered HTTP ${status} (${target.host})`);
        }
        if (redirects >= MAX_REDIRECTS) throw unavailable(`more than ${MAX_REDIRECTS} redirects`);
        target = follow(location, target, first);
        await socketSettled();
        continue;
      }
      const declared = Number(headerValue(res.headers, "content-length") ?? Number.NaN);
      if (Number.isFinite(declared) && declared > opts.maxBytes) {
        discardBody(res.body);
        throw tooLarge(opts.maxBytes);
      }
      let bytes = 0;
      writing = true;
      await pipeline(
        res.body,
        async function* cap(source: AsyncIterable<Buffer>) {
          for await (const chunk of source) {
            bytes += chunk.length;
            if (bytes > opts.maxBytes) throw tooLarge(opts.maxBytes);
            yield chunk;
          }
        },
        createWriteStream(destPath),
        { signal: deadline.signal },
      );
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
  }
}
