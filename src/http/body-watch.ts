import type { Socket } from "node:net";
import { performance } from "node:perf_hooks";
import type { FastifyRequest } from "fastify";
import { cutOff } from "./aborts.js";

/** A body must average the rate floor over each window this long (the documented "20 s windows"). */
export const RATE_WINDOW_MS = 20_000;

export interface BodyWatchOptions {
  /** Bytes per second a body must average over each window; 0 = no floor. */
  readonly minBytesPerS: number;
  /** Silence (ms) after which a body that has not fully arrived is cut off. */
  readonly idleMs: number;
}

interface Watched {
  readonly request: FastifyRequest;
  /** `socket.bytesRead` at the last tick, when bytes last arrived, and at the start of the current window. */
  seen: number;
  heardAt: number;
  windowAt: number;
  windowBytes: number;
}

/**
 * Cuts off clients whose request body is too slow (under the rate floor over a window) or silent too long: Node
 * has neither limit, only `requestTimeout` for the whole request. Bytes are counted at the socket (`bytesRead`),
 * which leaves the request stream's flow alone; while the server itself is behind (the request stream holds data
 * nobody has read yet) the client is not judged. One timer serves every body, running only while there are some.
 */
export class BodyWatch {
  readonly #watched = new Map<Socket, Watched>();
  readonly #tickMs: number;
  #timer: NodeJS.Timeout | null = null;

  constructor(private readonly opts: BodyWatchOptions) {
    const shortest = opts.minBytesPerS > 0 ? Math.min(opts.idleMs, RATE_WINDOW_MS) : opts.idleMs;
    // A limit holds to within one tick: a tenth of the shortest limit, between 50 ms and 1 s.
    this.#tickMs = Math.min(1000, Math.max(50, Math.floor(shortest / 10)));
  }

  /** Starts watching a request whose body has yet to arrive (an onRequest hook). */
  watch(request: FastifyRequest): void {
    const { raw, socket } = request;
    const sized = Number(raw.headers["content-length"] ?? 0) > 0;
    if (raw.complete || socket.destroyed || !(sized || raw.headers["transfer-encoding"] !== undefined))
      return;
    const now = performance.now();
    const seen = socket.bytesRead;
    this.#watched.set(socket, { request, seen, heardAt: now, windowAt: now, windowBytes: seen });
    this.#timer ??= setInterval(() => this.#tick(), this.#tickMs).unref();
  }

  /** The request whose body is arriving on `socket`, if any (a Node timeout there is a request timeout). */
  receiving(socket: Socket): FastifyRequest | undefined {
    const w = this.#watched.get(socket);
    return w === undefined || w.request.raw.complete ? undefined : w.request;
  }

  /** Stops the timer (the server is closing). */
  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#watched.clear();
  }

  #tick(): void {
    const now = performance.now();
    for (const [socket, w] of this.#watched) {
      const { raw } = w.request;
      if (raw.complete || socket.destroyed) {
        this.#watched.delete(socket);
        continue;
      }
      const bytes = socket.bytesRead;
      if (bytes !== w.seen || raw.readableLength > 0) {
        // Bytes arrived, or the server has not read what came: either way the client is not silent.
        w.seen = bytes;
        w.heardAt = now;
      } else if (now - w.heardAt >= this.opts.idleMs) {
        this.#cut(socket, w, "idle timeout", { silentMs: Math.round(now - w.heardAt) });
        continue;
      }
      if (raw.readableLength > 0) {
        w.windowAt = now; // the server is behind: the window restarts once it has caught up
        w.windowBytes = bytes;
      } else if (this.opts.minBytesPerS > 0 && now - w.windowAt >= RATE_WINDOW_MS) {
        const got = bytes - w.windowBytes;
        const seconds = (now - w.windowAt) / 1000;
        if (got < this.opts.minBytesPerS * seconds) {
          this.#cut(socket, w, "body too slow", { bytes: got, seconds: Math.round(seconds * 10) / 10 });
          continue;
        }
        w.windowAt = now;
        w.windowBytes = bytes;
      }
    }
    if (this.#watched.size === 0) this.stop();
  }

  #cut(socket: Socket, w: Watched, reason: string, fields: Record<string, unknown>): void {
    this.#watched.delete(socket);
    const { request } = w;
    cutOff(socket, request.log, reason, { method: request.method, url: request.url, ...fields });
  }
}
