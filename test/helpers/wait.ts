/**
 * The one way tests wait for something that happens elsewhere (a callback arriving, a task settling, a child
 * printing a line): poll with a deadline, never a fixed sleep, and say on timeout what was awaited and what the
 * last look saw.
 */
import { inspect } from "node:util";

export interface WaitOptions {
  /** Give up after this long; default 10 s (generous for a loaded 2-core machine). */
  readonly timeoutMs?: number;
  /** Pause between looks; default 50 ms. */
  readonly intervalMs?: number;
  /**
   * Keep polling when `probe` throws, and report its last error on timeout (a server that is still starting).
   * By default a throw ends the wait at once: it means the awaited thing will not come.
   */
  readonly retryErrors?: boolean;
  /** Shown on timeout beside the last answer: what a yes/no probe looked at (e.g. the requests received). */
  readonly state?: () => unknown;
}

/** "Not yet": a probe answers `undefined` or `false` until the awaited thing is there. */
type NotYet = undefined | false;

/**
 * Polls `probe` until it answers something other than `undefined` or `false`, and answers that. Throws after
 * `timeoutMs` with `what`, the time waited and the last answer (or error) in the message.
 *
 * @example
 * await waitFor("the callback", () => receiver.requests.length === 1);
 * const rec = await waitFor("the task to settle", async () => {
 *   const r = await h.call(`/api/v1/wav/record-info?taskId=${id}`);
 *   return r.data.status === "PENDING" ? undefined : r;
 * }, { timeoutMs: 30_000 });
 */
export async function waitFor<T>(
  what: string,
  probe: () => T | Promise<T>,
  opts: WaitOptions = {},
): Promise<Exclude<T, NotYet>> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const intervalMs = opts.intervalMs ?? 50;
  const started = Date.now();
  let last: { value: unknown } | { error: unknown } | null = null;
  for (;;) {
    try {
      const value = await probe();
      if (isThere(value)) return value;
      last = { value };
    } catch (error) {
      if (!opts.retryErrors) throw error;
      last = { error };
    }
    if (Date.now() - started >= timeoutMs) throw new Error(timeoutMessage(what, timeoutMs, last, opts.state));
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

function isThere<T>(value: T): value is Exclude<T, NotYet> {
  return value !== undefined && value !== false;
}

function timeoutMessage(
  what: string,
  timeoutMs: number,
  last: { value: unknown } | { error: unknown } | null,
  state: (() => unknown) | undefined,
): string {
  const show = (v: unknown) => inspect(v, { depth: 4, breakLength: Infinity, maxStringLength: 2_000 });
  const seen =
    last === null
      ? "no answer"
      : "error" in last
        ? `last error: ${last.error instanceof Error ? last.error.message : show(last.error)}`
        : `last answer: ${show(last.value)}`;
  return `timed out after ${timeoutMs} ms waiting for ${what} (${seen}${state ? `; state: ${show(state())}` : ""})`;
}
