import type { FastifyInstance } from "fastify";
import { ErrorAnswer, keyOf } from "../http/index.js";
import type { Services } from "../services/index.js";
import { TaskFeed } from "./event-feed.js";
import { nextLook, SSE_HEADERS, STREAM, StreamGate } from "./stream-gate.js";

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
  const gate = new StreamGate("event streams");
  gates.set(services, gate);
  // Open streams would hold the server's close until its grace period ran out.
  app.addHook("preClose", async () => gate.stopAll());

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
      const stop = gate.admit(key.id);
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
        res.writeHead(200, SSE_HEADERS);
        res.write("retry: 2000\n\n");
        ping = setInterval(() => res.write(": ping\n\n"), STREAM.pingMs);
        while (!stop.signal.aborted) {
          await nextLook([services.tasks, services.messages], STREAM.pollMs, stop.signal);
          if (stop.signal.aborted) break;
          try {
            for (const event of await feed.next())
              res.write(`event: task\ndata: ${JSON.stringify(event)}\n\n`);
          } catch (error) {
            // A failed look (the database restarting, say) is tried again at the next; the stream stays.
            request.log.warn({ err: error }, "event stream: reading changes failed");
          }
          if (res.writableLength > STREAM.maxBuffered) break;
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
