import { performance } from "node:perf_hooks";
import { type ClientContext, requestHeaders, socketSettled } from "./context.js";
import { type Answer, ExcerptHandler } from "./excerpt-handler.js";
import { headerValue, parseRetryAfter } from "./headers.js";
import { classifyError, type ErrorClass, errorMessage } from "./network-errors.js";
import { checkLiteralHost, parseTarget, type Target } from "./target.js";

/** What one callback POST gave: a status, or a classified reason why there was none. */
export interface PostResult {
  /** HTTP status, null when no response arrived. */
  status: number | null;
  latencyMs: number;
  /** Parsed Retry-After (seconds or HTTP date), null if absent or invalid. */
  retryAfterMs: number | null;
  errorClass: null | ErrorClass;
  errorMessage: string | null;
  /** The first `excerptBytes` of the response body as UTF-8 (no more is kept). */
  excerpt: string;
}

/** Options of one POST. */
export interface PostOptions {
  timeoutMs: number;
  /** Default 4096. */
  excerptBytes?: number;
  signal?: AbortSignal;
}

/** The parsed, literal-checked target of a callback URL, remembered per URL (the policy never changes). */
function callbackTarget(ctx: ClientContext, url: string): Target {
  let target = ctx.callbackTargets.get(url);
  if (target === undefined) {
    target = parseTarget(url);
    checkLiteralHost(target, ctx.policy);
    // Host names are still resolved and vetted by the connector for every new connection.
    if (ctx.callbackTargets.size >= 1024) ctx.callbackTargets.clear();
    ctx.callbackTargets.set(url, target);
  }
  return target;
}

/**
 * Sends one POST through the shared Agent with an {@link ExcerptHandler} (never a Readable body, so undici's
 * parser is never paused) and settles on the answer, the deadline or the caller's signal, whichever is first.
 */
function dispatchPost(
  ctx: ClientContext,
  target: Target,
  body: string,
  headers: Record<string, string>,
  opts: PostOptions,
): Promise<{ answer: Answer; timedOut: boolean }> {
  return new Promise((resolve) => {
    let timedOut = false;
    const handler = new ExcerptHandler(opts.excerptBytes ?? 4096, (answer) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onAbort);
      resolve({ answer, timedOut });
    });
    const timer = setTimeout(() => {
      timedOut = true;
      handler.cancel(new Error(`timed out after ${opts.timeoutMs} ms`));
    }, opts.timeoutMs);
    const onAbort = (): void => {
      const reason: unknown = opts.signal?.reason;
      handler.cancel(reason instanceof Error ? reason : new Error("aborted"));
    };
    if (opts.signal?.aborted === true) {
      onAbort();
      return;
    }
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    try {
      ctx.agent.dispatch(
        {
          origin: target.url.origin,
          path: `${target.url.pathname}${target.url.search}`,
          method: "POST",
          headers: requestHeaders(ctx, target, headers),
          body,
        },
        handler,
      );
    } catch (err) {
      // Invalid options (a header value undici refuses) throw here rather than reaching the handler.
      handler.cancel(err instanceof Error ? err : new Error(String(err)));
    }
  });
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
  let target: Target;
  try {
    target = callbackTarget(ctx, url);
  } catch (err) {
    return done({ errorClass: "refused_target", errorMessage: errorMessage(err) });
  }
  const { answer, timedOut } = await dispatchPost(ctx, target, body, headers, opts);
  if (answer.kind === "error") {
    if (timedOut)
      return done({ errorClass: "timeout", errorMessage: `no answer within ${opts.timeoutMs} ms` });
    return done({ errorClass: classifyError(answer.error), errorMessage: errorMessage(answer.error) });
  }
  const retryAfterMs = parseRetryAfter(headerValue(answer.headers, "retry-after"), ctx.clock.now());
  const result = done({ status: answer.status, retryAfterMs, excerpt: answer.excerpt });
  if (answer.ended) await socketSettled();
  return result;
}
