import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { sendTest } from "../delivery/index.js";
import { answers, keyOf, sendOk } from "../http/index.js";
import { HooklineError } from "../lib/errors.js";
import { latestMessage } from "../outbox/index.js";
import { hitRate } from "../rates/index.js";
import type { Services } from "../services/index.js";
import { getOwnedTask } from "../tasks/index.js";

/** What the route answers in `data` (the OpenAPI description; see TestSend). */
export const TestSendAnswer = Type.Object({
  url: Type.String(),
  statusCode: Type.Union([Type.Integer(), Type.Null()]),
  latencyMs: Type.Integer(),
  outcome: Type.Union([Type.Literal("delivered"), Type.Literal("failed")]),
  errorClass: Type.Union([Type.String(), Type.Null()]),
  error: Type.Union([Type.String(), Type.Null()]),
  responseExcerpt: Type.String(),
  headers: Type.Record(Type.String(), Type.String()),
});

/**
 * `POST /api/v1/hookline/tasks/:taskId/test-callback`: the task's latest callback, signed as an attempt signs it,
 * sent once to another URL and answered with what that receiver said. Not retried, not in the delivery log; the
 * URL is vetted like a callBackUrl, and the calls count against the key's redelivery limit (each is a POST to a
 * URL of the caller's choosing).
 */
export function testCallbackRoute(fastify: FastifyInstance, services: Services) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { store, clock, config } = services;
  app.post(
    "/api/v1/hookline/tasks/:taskId/test-callback",
    {
      schema: {
        summary: "Send the task's latest callback once to another URL (a test: not retried, not logged)",
        tags: ["Tasks & deliveries (Hookline)"],
        params: Type.Object({ taskId: Type.String() }),
        body: Type.Object(
          { url: Type.String({ minLength: 1, maxLength: 2048 }) },
          { additionalProperties: false },
        ),
        response: answers(TestSendAnswer, "What the receiver answered", { errors: [404] }),
      },
    },
    async (request, reply) => {
      const key = keyOf(request);
      const task = await getOwnedTask(store.db, key.id, request.params.taskId);
      const message = await latestMessage(store.db, task.id);
      if (!message)
        throw new HooklineError(
          "bad_request",
          "This task has no callback yet: it is sent when the task ends",
        );
      const { url } = request.body;
      await services.outbound.vet(url);
      const perMinute = config.rateLimit.redeliverPerMinute;
      const verdict = await store.batched((trx) => hitRate(trx, key.id, "redeliver", perMinute, clock.now()));
      if (!verdict.ok) {
        reply.header("retry-after", String(verdict.retryAfterS));
        throw new HooklineError(
          "rate_limited",
          `Test and redelivery limit: ${perMinute} per minute for this key; try again in ${verdict.retryAfterS} s`,
        );
      }
      const { delivery } = config;
      const sent = await sendTest(
        {
          clock,
          outbound: services.outbound,
          timeoutMs: delivery.timeoutMs,
          excerptBytes: delivery.excerptBytes,
          policy: { scheduleMs: delivery.retryScheduleMs, jitter: delivery.jitter },
        },
        message,
        key,
        url,
      );
      return sendOk(reply, sent);
    },
  );
}
