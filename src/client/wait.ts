/**
 * Polling a task until it settles, with backoff and an `AbortSignal`: what `waitForTask` does, for each family.
 */
import { HooklineApiError } from "./errors.js";
import type { TaskKind } from "./types.js";

/** How {@link waitFor} polls. */
export interface WaitOptions {
  /** Stops waiting (the promise rejects with kind `aborted`). */
  signal?: AbortSignal;
  /** Gives up after this many milliseconds (kind `timeout`); default: no limit. */
  timeoutMs?: number;
  /** First gap between polls, ms (default 500). */
  intervalMs?: number;
  /** Longest gap between polls, ms (default 5 000); gaps grow by 1.5× up to it. */
  maxIntervalMs?: number;
  /** Called with every record read, settled or not (progress display). */
  onPoll?: (record: unknown, poll: number) => void;
}

const FAILED = /FAIL|EXCEPTION|ERROR/;

/**
 * Whether a record of this kind of task has reached a state that will not change by itself. A WAV task in
 * `CALLBACK_EXCEPTION` is settled (its file is readable, spec 13); a validation task waiting for the user's
 * recording (`wait_validating`) is settled as far as polling goes.
 */
export function isSettled(kind: TaskKind, record: unknown): boolean {
  const r = (record ?? {}) as { status?: unknown; successFlag?: unknown };
  const status = typeof r.status === "string" ? r.status : "";
  switch (kind) {
    case "wav":
    case "music":
      return status !== "" && status !== "PENDING" && !/^(TEXT|FIRST)_SUCCESS$/.test(status);
    case "cover":
      if (typeof r.successFlag === "number") return r.successFlag === 1 || r.successFlag === 3;
      return status === "SUCCESS" || FAILED.test(status);
    case "voice-validate":
      return ["wait_validating", "processing_validate_fail", "success", "fail"].includes(status);
    case "voice-generate":
      return ["success", "fail", "processing_validate_fail"].includes(status);
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Calls `read` until `isSettled(kind, record)`, sleeping between calls with backoff; network failures in
 * between are retried (the server may be restarting), API errors (404, 401…) end the wait at once.
 */
export async function waitFor<T>(
  kind: TaskKind,
  taskId: string,
  read: (signal: AbortSignal | undefined) => Promise<T>,
  options: WaitOptions = {},
): Promise<T> {
  const operation = `waitForTask ${kind} ${taskId}`;
  const deadline = options.timeoutMs === undefined ? null : Date.now() + options.timeoutMs;
  const timeout = options.timeoutMs === undefined ? null : AbortSignal.timeout(options.timeoutMs);
  const signals = [options.signal, timeout].filter((s): s is AbortSignal => s != null);
  const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
  let gap = options.intervalMs ?? 500;
  const maxGap = options.maxIntervalMs ?? 5_000;
  const fail = (cause?: unknown) =>
    options.signal?.aborted
      ? new HooklineApiError({ kind: "aborted", code: 0, msg: "aborted by the caller", operation, cause })
      : new HooklineApiError({
          kind: "timeout",
          code: 0,
          msg: `not settled within ${options.timeoutMs} ms`,
          operation,
          cause,
        });
  for (let poll = 1; ; poll++) {
    if (signal?.aborted) throw fail();
    try {
      const record = await read(signal);
      options.onPoll?.(record, poll);
      if (isSettled(kind, record)) return record;
    } catch (error) {
      const transient =
        error instanceof HooklineApiError && (error.kind === "network" || error.kind === "bad_response");
      if (signal?.aborted) throw fail(error);
      if (!transient) throw error;
    }
    const wait = deadline === null ? gap : Math.min(gap, Math.max(0, deadline - Date.now()));
    try {
      await sleep(wait, signal);
    } catch (cause) {
      throw fail(cause);
    }
    gap = Math.min(maxGap, Math.round(gap * 1.5));
  }
}
