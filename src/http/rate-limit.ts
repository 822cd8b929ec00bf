import type { FastifyInstance } from "fastify";
import { HooklineError } from "../lib/errors.js";
import { hitRate } from "../rates/index.js";
import type { Services } from "../services/index.js";

/**
 * The per-key request rate (spec 12.3): a key's own `rate_limit`, else `HOOKLINE_RATE_LIMIT`; none when neither
 * is set. Counted after authentication, in the database (so that every process counts together), in the
 * group-commit transaction of the moment; past the limit a request answers 430 (sunoapi) / 429 (kie) with
 * `Retry-After`, before its body is read.
 */
export function registerRateLimit(app: FastifyInstance, services: Services): void {
  const { store, clock, config } = services;
  app.addHook("onRequest", async (request, reply) => {
    // Routes registered before the auth decorator (the docs' plugin) have no apiKey at all, not even null.
    const key = request.apiKey ?? null;
    if (key === null) return;
    const limit = key.rate_limit ?? config.rateLimit.perMinute;
    if (limit === null || limit === 0) return;
    const verdict = await store.batched((trx) => hitRate(trx, key.id, "api", limit, clock.now()));
    if (verdict.ok) return;
    reply.header("retry-after", String(verdict.retryAfterS));
    throw new HooklineError(
      "rate_limited",
      `Rate limit: ${limit} requests per minute for this key; try again in ${verdict.retryAfterS} s`,
    );
  });
}
