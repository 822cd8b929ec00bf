import { performance } from "node:perf_hooks";
import type { Readable } from "node:stream";
import { request } from "undici";
import { type ClientContext, discardBody, requestHeaders, socketSettled } from "./context.js";
import { headerValue, parseRetryAfter } from "./headers.js";
import { classifyError, type ErrorClass, errorMessage, startRequestDeadline } from "./network-errors.js";
import { checkLiteralHost, parseTarget } from "./target.js";

/** What one callback POST gave: a status, or a classified reason why there was none. */
export interface PostResult {
  /** HTTP status, null when no response arrived. */
  status: number | null;
  latencyMs: number;
  /** Parsed Retry-After (seconds or HTTP date), null if absent or invalid. */
  retryAfterMs: number | null;
  errorClass: null | ErrorClass;
  errorMessage: string | null;
  /** The first `excerptBytes` of the response body as UTF-8 (no more is read). */
  excerpt: string;
}

/** Options of one POST. */
export interface PostOptions {
  timeoutMs: number;
  /** Default 4096. */
  excerptBytes?: number;
  signal?: AbortSignal;
}

/**
 * Reads at most about `limit` bytes, then destroys the body so a huge answer costs nothing more. A body read to
 * its end leaves the socket reusable; then the caller waits for it to settle. Listeners rather than an async
 * iterator: this runs for every callback, and most answers are empty.
 */
function readExcerpt(body: Readable, limit: number): Promise<{ text: string; ended: boolean }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (): void => {
      if (settled) return;
      settled = true;
      body.off("data", onData);
      body.off("end", finish);
      // The status already arrived and decides the outcome; a broken body only shortens the excerpt.
      body.off("error", finish);
      const ended = body.readableEnded;
      if (!ended) discardBody(body);
      resolve({ text: size === 0 ? "" : decode(chunks, limit), ended });
    };
    const onData = (chunk: Buffer | string): void => {
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
      chunks.push(buf);
      size += buf.length;
      if (size >= limit) finish();
    };
    if (limit <= 0) {
      finish();
      return;
    }
    body.on("data", onData);
    body.on("end", finish);
    body.on("error", finish);
  });
}

/** The first `limit` bytes as UTF-8; a multi-byte character cut at the limit is left out, not turned into U+FFFD. */
function decode(chunks: Buffer[], limit: number): string {
  return new TextDecoder("utf-8").decode(Buffer.concat(chunks).subarray(0, limit), { stream: true });
}

/** The callback POST of {@link Outbound.post}: never follows redirects, never throws for the network. */
export async function postRequest(
  ctx: ClientContext,
  url: string,
  body: string,
  headers: Record<string, string>,
  opts: PostOptions,
): Promise<PostResult> {
  const started = performance.now();
  const done = (r: Partial<PostResult>): PostResult => ({
    status: null,
    retryAfterMs: null,
    errorClass: null,
    errorMessage: null,
    excerpt: "",
    ...r,
    latencyMs: Math.round(performance.now() - started),
  });
  let target = ctx.callbackTargets.get(url);
  if (target === undefined) {
    try {
      target = parseTarget(url);
      checkLiteralHost(target, ctx.policy);
    } catch (err) {
      return done({ errorClass: "refused_target", errorMessage: errorMessage(err) });
    }
    // A callback URL is posted to again and again; parsed and checked once, its verdict cannot change (the
    // policy is fixed). Host names are still resolved and vetted by the connector for every new connection.
    if (ctx.callbackTargets.size >= 1024) ctx.callbackTargets.clear();
    ctx.callbackTargets.set(url, target);
  }
  const deadline = startRequestDeadline(opts.timeoutMs, opts.signal);
  try {
    const res = await request(target.url, {
      dispatcher: ctx.agent,
      method: "POST",
      headers: requestHeaders(ctx, target, headers),
      body,
      signal: deadline.signal,
    });
    const retryAfterMs = parseRetryAfter(headerValue(res.headers, "retry-after"), ctx.clock.now());
    const { text, ended } = await readExcerpt(res.body, opts.excerptBytes ?? 4096);
    const result = done({ status: res.statusCode, retryAfterMs, excerpt: text });
    if (ended) await socketSettled();
    return result;
  } catch (err) {
    if (deadline.timedOut()) {
      return done({ errorClass: "timeout", errorMessage: `no answer within ${opts.timeoutMs} ms` });
    }
    return done({ errorClass: classifyError(err), errorMessage: errorMessage(err) });
  } finally {
    deadline.dispose();
  }
}
