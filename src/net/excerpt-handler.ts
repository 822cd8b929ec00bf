import type { Dispatcher } from "undici";
import type { ResponseHeaders } from "./headers.js";

/** How a callback POST ended, as the handler saw it. */
export type Answer =
  | {
      readonly kind: "status";
      readonly status: number;
      readonly headers: ResponseHeaders;
      readonly excerpt: string;
      /** True when the body was read to its end (the socket may be reused). */
      readonly ended: boolean;
    }
  | { readonly kind: "error"; readonly error: unknown };

/**
 * Bytes read and dropped after the excerpt before giving up on the body: a receiver answering a small page
 * keeps its kept-alive socket, and a huge or endless answer costs no more than this.
 */
export const DRAIN_BYTES = 64 * 1024;

/** The first `limit` bytes as UTF-8; a multi-byte character cut at the limit is left out, not turned into U+FFFD. */
function decode(chunks: readonly Buffer[], limit: number): string {
  const all = chunks.length === 1 ? (chunks[0] ?? Buffer.alloc(0)) : Buffer.concat(chunks);
  return new TextDecoder("utf-8").decode(all.subarray(0, limit), { stream: true });
}

/**
 * An undici dispatch handler for one callback POST that never pauses the response (issue 9): undici 7's HTTP/1
 * parser asserts that it is not paused when the peer closes the socket (nodejs/undici#5360, an uncatchable
 * crash), and it pauses only when a handler asks for backpressure. This one keeps the first `limit` bytes of
 * the body, drops up to {@link DRAIN_BYTES} more, and aborts the request past that; it settles exactly once,
 * on the body's end, an error, {@link ExcerptHandler.cancel}, or the abort it made itself.
 */
export class ExcerptHandler implements Dispatcher.DispatchHandler {
  #controller: Dispatcher.DispatchController | null = null;
  #cancelled: Error | null = null;
  #settled = false;
  #status = 0;
  #headers: ResponseHeaders = {};
  #chunks: Buffer[] = [];
  #kept = 0;
  #seen = 0;
  readonly #limit: number;
  readonly #settle: (answer: Answer) => void;

  constructor(limit: number, settle: (answer: Answer) => void) {
    this.#limit = Math.max(0, limit);
    this.#settle = settle;
  }

  /** Ends the request now (deadline or caller's signal): the status, if one came, still decides the answer. */
  cancel(reason: Error): void {
    this.#finish(false, reason);
    this.#cancelled ??= reason;
    this.#controller?.abort(reason);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    // Cancelled while queued or connecting: undici hands over the controller only once a socket is ready.
    if (this.#cancelled !== null) controller.abort(this.#cancelled);
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: ResponseHeaders,
  ): void {
    if (statusCode < 200) return; // 1xx: the final status follows
    this.#status = statusCode;
    this.#headers = headers;
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.#seen += chunk.length;
    if (this.#kept < this.#limit) {
      this.#chunks.push(chunk);
      this.#kept += chunk.length;
    }
    if (this.#seen > this.#limit + DRAIN_BYTES) {
      this.#finish(false, null);
      controller.abort(new Error("response body over the excerpt bound"));
    }
  }

  onResponseEnd(): void {
    this.#finish(true, null);
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    // After a status the answer stands: a broken or cut body only shortens the excerpt.
    this.#finish(false, error);
  }

  #finish(ended: boolean, error: Error | null): void {
    if (this.#settled) return;
    this.#settled = true;
    if (this.#status === 0) {
      this.#settle({ kind: "error", error });
      return;
    }
    const excerpt = this.#kept === 0 ? "" : decode(this.#chunks, this.#limit);
    this.#chunks = [];
    this.#settle({ kind: "status", status: this.#status, headers: this.#headers, excerpt, ended });
  }
}
