import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { answers, keyOf, Nullable, sendOk } from "../http/index.js";
import { isoTime } from "../lib/time.js";
import { receiverStats } from "../outbox/index.js";
import type { Services } from "../services/index.js";

const DAY_MS = 24 * 3600_000;
const MAX_RECEIVERS = 100;

/** The host a page shows for a callback URL (the URL itself when it does not parse, which an old row may hold). */
function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** `GET /api/v1/hookline/receivers`: how each of the key's callback URLs answered over the last day. */
export function receiverRoutes(fastify: FastifyInstance, services: Services) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { store, clock } = services;
  app.get(
    "/api/v1/hookline/receivers",
    {
      schema: {
        summary: "The key's callback receivers over the last 24 hours, most recently tried first",
        tags: ["Tasks & deliveries (Hookline)"],
        response: answers(
          Type.Object({
            receivers: Type.Array(
              Type.Object({
                url: Type.String(),
                host: Type.String(),
                attempts: Type.Integer(),
                delivered: Type.Integer(),
                failedAttempts: Type.Integer(),
                successRate: Type.Number({ minimum: 0, maximum: 1 }),
                p50LatencyMs: Nullable(Type.Number()),
                p95LatencyMs: Nullable(Type.Number()),
                lastAttemptTime: Nullable(Type.String()),
                lastStatusCode: Nullable(Type.Integer()),
                lastError: Nullable(Type.String()),
              }),
            ),
          }),
          "The receivers",
        ),
      },
    },
    async (request, reply) => {
      const key = keyOf(request);
      const stats = await receiverStats(store.db, key.id, clock.now() - DAY_MS, MAX_RECEIVERS);
      return sendOk(reply, {
        receivers: stats.map((r) => ({
          url: r.url,
          host: hostOf(r.url),
          attempts: r.attempts,
          delivered: r.delivered,
          failedAttempts: r.failedAttempts,
          successRate: r.attempts === 0 ? 0 : r.delivered / r.attempts,
          p50LatencyMs: r.p50LatencyMs,
          p95LatencyMs: r.p95LatencyMs,
          lastAttemptTime: isoTime(r.lastAttemptAt),
          lastStatusCode: r.lastStatusCode,
          lastError: r.lastError,
        })),
      });
    },
  );
}
