import { HooklineError } from "../lib/errors.js";

/** Why an outbound request got no usable answer; recorded with every callback attempt. */
export type ErrorClass = "timeout" | "dns" | "connect" | "refused_target" | "tls" | "reset" | "other";

const BY_CODE: Record<string, ErrorClass> = {
  ENOTFOUND: "dns",
  EAI_AGAIN: "dns",
  EAI_FAIL: "dns",
  EAI_NONAME: "dns",
  ENODATA: "dns",
  ESERVFAIL: "dns",
  ECONNREFUSED: "connect",
  EHOSTUNREACH: "connect",
  ENETUNREACH: "connect",
  EHOSTDOWN: "connect",
  ENETDOWN: "connect",
  EADDRNOTAVAIL: "connect",
  ETIMEDOUT: "timeout",
  UND_ERR_CONNECT_TIMEOUT: "timeout",
  UND_ERR_HEADERS_TIMEOUT: "timeout",
  UND_ERR_BODY_TIMEOUT: "timeout",
  ECONNRESET: "reset",
  ECONNABORTED: "reset",
  EPIPE: "reset",
  UND_ERR_SOCKET: "reset",
  EPROTO: "tls",
};

function codeOf(err: unknown): string | null {
  if (typeof err !== "object" || err === null || !("code" in err)) return null;
  return typeof err.code === "string" ? err.code : null;
}

/** The error itself, then its cause and first aggregated error (happy-eyeballs failures aggregate). */
function* chain(err: unknown, depth = 0): Generator<unknown> {
  if (depth > 4 || typeof err !== "object" || err === null) return;
  yield err;
  if (err instanceof AggregateError) yield* chain(err.errors[0], depth + 1);
  if (err instanceof Error && err.cause !== undefined) yield* chain(err.cause, depth + 1);
}

/**
 * Classifies a failed request by its error codes. Deadline expiry is decided by the caller (it knows
 * whether its own timer fired), so an abort reaching here without that is "other".
 */
export function classifyError(err: unknown): ErrorClass {
  for (const e of chain(err)) {
    if (e instanceof HooklineError) return e.code === "target_refused" ? "refused_target" : "other";
    const code = codeOf(e);
    if (code === null) continue;
    const known = BY_CODE[code];
    if (known !== undefined) return known;
    if (/^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|HOSTNAME_MISMATCH)/.test(code))
      return "tls";
  }
  return "other";
}

/** A short message for an error, without URLs (they may carry credentials). */
export function errorMessage(err: unknown): string {
  for (const e of chain(err)) {
    if (e instanceof HooklineError) return e.message;
    if (e instanceof Error && e.message !== "") {
      const code = codeOf(e);
      return code !== null && !e.message.includes(code) ? `${code}: ${e.message}` : e.message;
    }
  }
  return String(err);
}

/** One timer and one signal covering a whole operation, chained to the caller's own signal. */
export interface Deadline<Signal = AbortSignal> {
  readonly signal: Signal;
  /** True once the timer (not the caller's signal) aborted the operation. */
  timedOut(): boolean;
  /** Clears the timer and the listener; call in `finally` so nothing outlives the operation. */
  dispose(): void;
}

/** Starts a {@link Deadline} of `ms` milliseconds. */
export function startDeadline(ms: number, outer?: AbortSignal): Deadline {
  const controller = new AbortController();
  let expired = false;
  const timer = setTimeout(() => {
    expired = true;
    controller.abort(new Error(`timed out after ${ms} ms`));
  }, ms);
  const onAbort = (): void => controller.abort(outer?.reason ?? new Error("aborted"));
  if (outer?.aborted === true) onAbort();
  else outer?.addEventListener("abort", onAbort, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => expired,
    dispose() {
      clearTimeout(timer);
      outer?.removeEventListener("abort", onAbort);
    },
  };
}
