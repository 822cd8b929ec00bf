import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { SenderExtension } from "../delivery/index.js";
import { answers, ErrorAnswer, keyOf, type RouteModule, sendOk } from "../http/index.js";
import { liveKeyById } from "../keys/index.js";
import { HooklineError } from "../lib/errors.js";
import { boundedReplayStart, recordStreamAttempt } from "../outbox/index.js";
import type { Services } from "../services/index.js";
import {
  CallbackFeed,
  callbackEvent,
  decodeCursor,
  encodeCursor,
  later,
  MARGIN_MS,
} from "./callback-feed.js";
import { nextLook, SSE_HEADERS, STREAM, StreamGate } from "./stream-gate.js";

/** What a resumed stream replays at most: messages of the last 15 minutes, the newest 1000 of them. */
const REPLAY_MS = 15 * 60_000;
const REPLAY_MAX = 1_000;
/** Stream attempts logged per message at most (a client reporting in a loop cannot fill the log). */
const RESULTS_PER_MESSAGE = 20;

const STREAM_PATH = "/api/v1/hookline/callbacks/stream";

/** What a forwarding client reports of one callback it forwarded. */
const StreamResult = Type.Object(
  {
    messageId: Type.String({ minLength: 1, maxLength: 100 }),
    statusCode: Type.Union([Type.Integer({ minimum: 100, maximum: 599 }), Type.Null()]),
    latencyMs: Type.Integer({ minimum: 0, maximum: 3_600_000 }),
    error: Type.Union([Type.String({ maxLength: 500 }), Type.Null()]),
    responseExcerpt: Type.String({ maxLength: 4096 }),
    target: Type.Optional(Type.String({ maxLength: 2048 })),
    headers: Type.Optional(
      Type.Record(Type.String({ maxLength: 100 }), Type.String({ maxLength: 2048 }), { maxProperties: 32 }),
    ),
  },
  { additionalProperties: false },
);

/** What the results route answers in `data`. */
const Recorded = Type.Object({
  messageId: Type.String(),
  number: Type.Integer({ description: "the attempt's number among the message's stream attempts" }),
});

const gates = new WeakMap<Services, StreamGate>();

/** How many callback streams the server of these services has open (tests). */
export function openCallbackStreams(services: Services): number {
  return gates.get(services)?.open ?? 0;
}

/**
 * `GET /api/v1/hookline/callbacks/stream` and `POST …/stream/results`: the key's callback messages as server-sent
 * events, for `hookline listen --remote` to forward to a developer's machine, and the log of what it forwarded.
 * The stream is a tee: each message's own delivery goes on as before. `extension`: the sender's (failure
 * simulation), so that a message is signed here as its attempts are.
 */
export function callbackStreamRoutes(extension?: Pick<SenderExtension, "signingFor">): RouteModule {
  return (fastify: FastifyInstance, services: Services) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const { store, clock } = services;
    const gate = new StreamGate("callback streams");
    gates.set(services, gate);
    // Open streams would hold the server's close until its grace period ran out.
    fastify.addHook("preClose", async () => gate.stopAll());

    app.get(
      STREAM_PATH,
      {
        schema: {
          summary:
            "The key's callbacks as they are enqueued (server-sent events: `callback` with messageId, taskId, event, signed headers, exact body)",
          description:
            "A tee of the outbox: each message is still delivered to its callBackUrl. Resume with Last-Event-ID (up to 15 minutes / 1000 messages back; a `gap` event says when that bound cut the replay). A revoked key's stream ends with an `end` event.",
          tags: ["Tasks & deliveries (Hookline)"],
          headers: Type.Object({ "last-event-id": Type.Optional(Type.String({ maxLength: 200 })) }),
          response: {
            200: {
              description:
                "A server-sent event stream: `event: callback` with `data: {messageId, taskId, event, headers, body}` per message, each with its own `id` (send the last as `Last-Event-ID` to resume; the stream also gives its position as a bare `id:` at the start and with each `: ping`), `event: gap` when a resumed replay was cut, `event: end` when the key is revoked. Refused (too many streams of the key) with the error envelope, code 429 (kie) or 430 (sunoapi).",
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
        const now = clock.now();
        const given = request.headers["last-event-id"];
        let floor = { createdAt: now, id: "" };
        let cut = false;
        if (typeof given === "string" && given !== "") {
          const cursor = decodeCursor(given);
          const back = { createdAt: Math.min(cursor.createdAt, now) - MARGIN_MS, id: "" };
          ({ start: floor, cut } = await boundedReplayStart(
            store.db,
            key.id,
            back,
            now - REPLAY_MS,
            REPLAY_MAX,
          ));
        }
        const stop = gate.admit(key.id);
        const res = reply.raw;
        let ping: NodeJS.Timeout | undefined;
        const close = () => stop.abort();
        res.on("close", close);
        try {
          const feed = new CallbackFeed(store.db, key.id, floor);
          reply.hijack();
          res.writeHead(200, SSE_HEADERS);
          // The stream's place goes out from the start and with every ping, not only with messages: a client
          // whose stream drops before any message came resumes from there, and misses nothing enqueued meanwhile.
          let mark = floor;
          res.write(`retry: 2000\nid: ${encodeCursor(mark)}\n\n`);
          if (cut) res.write(`event: gap\ndata: ${JSON.stringify({ reason: "replay_bounded" })}\n\n`);
          ping = setInterval(() => res.write(`: ping\nid: ${encodeCursor(mark)}\n\n`), STREAM.pingMs);
          let first = true;
          while (!stop.signal.aborted) {
            // A resumed stream replays at once; then it looks once a second, sooner on a local wake-up.
            if (!first) await nextLook([services.messages], STREAM.pollMs, stop.signal);
            first = false;
            if (stop.signal.aborted) break;
            try {
              // Read again at each look: a revoked key's stream ends, a rotated key signs at once.
              const live = await liveKeyById(store.db, key.id);
              if (!live) {
                res.write(`event: end\ndata: ${JSON.stringify({ reason: "key_revoked" })}\n\n`);
                break;
              }
              const lookAt = clock.now();
              // Each event's id is its own message's place (or the place before, for one that came late), so a
              // client that drops in the middle of a batch resumes right after the last event it had.
              for (const m of await feed.next()) {
                mark = later(mark, { createdAt: m.created_at, id: m.id });
                const event = callbackEvent(m, live, clock.now(), extension);
                res.write(`event: callback\nid: ${encodeCursor(mark)}\ndata: ${JSON.stringify(event)}\n\n`);
              }
              // Everything enqueued before a look that read all there was (less the margin a resumed stream
              // re-reads) has been sent: the place moves up to it, messages or not.
              if (feed.caughtUp) mark = later(mark, { createdAt: lookAt, id: "" });
            } catch (error) {
              // A failed look (the database restarting, say) is tried again at the next; the stream stays.
              request.log.warn({ err: error }, "callback stream: reading messages failed");
            }
            if (res.writableLength > STREAM.maxBuffered) break;
          }
        } finally {
          clearInterval(ping);
          res.off("close", close);
          gate.leave(key.id, stop);
          res.end();
        }
      },
    );

    app.post(
      `${STREAM_PATH}/results`,
      {
        schema: {
          summary:
            "Log what a callback forwarded from the stream got (an attempt with trigger `stream`; the message does not move)",
          tags: ["Tasks & deliveries (Hookline)"],
          body: StreamResult,
          response: answers(Recorded, "The attempt is in the delivery log", { errors: [404] }),
        },
      },
      async (request, reply) => {
        const key = keyOf(request);
        const r = request.body;
        const endedAt = clock.now();
        const number = await recordStreamAttempt(
          store.db,
          {
            messageId: r.messageId,
            ownerId: key.id,
            startedAt: endedAt - r.latencyMs,
            latencyMs: r.latencyMs,
            status: r.statusCode,
            error: r.error,
            excerpt: r.responseExcerpt.slice(0, services.config.delivery.excerptBytes),
            headers: r.headers ?? null,
            target: r.target ?? null,
          },
          RESULTS_PER_MESSAGE,
        );
        if (number === "not_found")
          throw new HooklineError("not_found", "No callback message of this key has that id");
        if (number === "full")
          throw new HooklineError(
            "rate_limited",
            `At most ${RESULTS_PER_MESSAGE} stream attempts are logged per message`,
          );
        return sendOk(reply, { messageId: r.messageId, number });
      },
    );
  };
}
