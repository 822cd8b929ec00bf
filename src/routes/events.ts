import type { FastifyInstance } from "fastify";
import { ErrorAnswer, keyOf } from "../http/index.js";
import { HooklineError } from "../lib/errors.js";
import type { Services } from "../services/index.js";
import { TaskFeed } from "./event-feed.js";

/** Limits of the live streams: each holds a connection and polls the database once a second. */
const PER_KEY = 4;
const TOTAL = 200;
const POLL_MS = 1_000;
/** A comment line this often keeps proxies, which close idle connections, from closing the stream. */
const PING_MS = 15_000;
/** A client that reads slower than its events come is let go rather than buffered for. */
const MAX_BUFFERED = 1 << 20;

/** The open streams of one server, per key and in all; each can be stopped (the server is closing). */
class StreamGate {
  readonly #perKey = new Map<string, number>();
  readonly #stops = new Set<AbortController>();

  get open(): number {
    return this.#stops.size;
  }

  /** A stop for a new stream of this key, or null when a limit is reached. */
  enter(keyId: string): AbortController | null {
    const mine = this.#perKey.get(keyId) ?? 0;
    if (mine >= PER_KEY || this.#stops.size >= TOTAL) return null;
    this.#perKey.set(keyId, mine + 1);
    const stop = new AbortController();
    this.#stops.add(stop);
    return stop;
  }

  leave(keyId: string, stop: AbortController): void {
    if (!this.#stops.delete(stop)) return;
    const mine = (this.#perKey.get(keyId) ?? 1) - 1;
    if (mine > 0) this.#perKey.set(keyId, mine);
    else this.#perKey.delete(keyId);
  }

  stopAll(): void {
    for (const stop of this.#stops) stop.abort();
  }
}

const gates = new WeakMap<Services, StreamGate>();

/** How many event streams the server of these services has open (tests, metrics). */
export function openEventStreams(services: Services): number {
  return gates.get(services)?.open ?? 0;
}

/**
 * `GET /api/v1/hookline/events`: a server-sent event stream of the key's task changes. It polls the database
 * rather than listening to this process's own events, so that changes made by another process sharing a
 * PostgreSQL database arrive too; a local wake-up (a task queued, a callback queued or sent) only makes the next
 * look come sooner.
 */
export function eventRoutes(app: FastifyInstance, services: Services) {
  const gate = new StreamGate();
  gates.set(services, gate);
  // Open streams would hold the server's close until its grace period ran out.
  app.addHook("preClose", async () => gate.stopAll());

  /** The next look's moment: a second on, sooner on a local wake-up, at once on a stop. */
  const pause = async (stop: AbortSignal) => {
    const round = new AbortController();
    const end = () => round.abort();
    stop.addEventListener("abort", end, { once: true });
    await Promise.race([
      services.tasks.wait(POLL_MS, round.signal),
      services.messages.wait(POLL_MS, round.signal),
    ]);
    stop.removeEventListener("abort", end);
    round.abort();
  };

  app.get(
    "/api/v1/hookline/events",
    {
      schema: {
        summary:
          "Live changes of the key's tasks (server-sent events: `task` with taskId, status, callbackState)",
        tags: ["Tasks & deliveries (Hookline)"],
        response: {
          200: {
            description:
              "A server-sent event stream: `event: task` with `data: {taskId, status, callbackState}` per change, `: ping` comments to keep it open. Refused (too many streams of the key) with the error envelope, code 429 (kie) or 430 (sunoapi).",
            content: {
              "text/event-stream": { schema: { type: "string" } },
              "application/json": { schema: ErrorAnswer },
            },
          },
        },
      },
    },
    async (request, reply) => {
      const key = keyOf(request);
      const stop = gate.enter(key.id);
      if (stop === null)
        throw new HooklineError(
          "rate_limited",
          `At most ${PER_KEY} event streams per key (${TOTAL} in all) may be open at once`,
        );
      const res = reply.raw;
      let ping: NodeJS.Timeout | undefined;
      let streaming = false;
      const close = () => stop.abort();
      res.on("close", close);
      try {
        const feed = new TaskFeed(services.store.db, key.id, services.clock.now());
        await feed.prime();
        reply.hijack();
        streaming = true;
        res.writeHead(200, {
          "content-type": "text/event-stream; charset=utf-8",
          "cache-control": "no-cache, no-transform",
          "x-accel-buffering": "no",
        });
        res.write("retry: 2000\n\n");
        ping = setInterval(() => res.write(": ping\n\n"), PING_MS);
        while (!stop.signal.aborted) {
          await pause(stop.signal);
          if (stop.signal.aborted) break;
          try {
            for (const event of await feed.next())
              res.write(`event: task\ndata: ${JSON.stringify(event)}\n\n`);
          } catch (error) {
            // A failed look (the database restarting, say) is tried again at the next; the stream stays.
            request.log.warn({ err: error }, "event stream: reading changes failed");
          }
          if (res.writableLength > MAX_BUFFERED) break;
        }
      } finally {
        clearInterval(ping);
        res.off("close", close);
        gate.leave(key.id, stop);
        if (streaming) res.end();
      }
    },
  );
}
