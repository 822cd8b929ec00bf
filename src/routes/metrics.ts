import type { FastifyInstance } from "fastify";
import { scrapeAllowed } from "../metrics/index.js";
import type { Services } from "../services/index.js";

/**
 * GET /metrics: Prometheus' text format. Not an API route: no API key (a scraper holds none), left out of the
 * OpenAPI document, and guarded by `HOOKLINE_METRICS_TOKEN` when it is set (docs/operations.md says why it is
 * open otherwise).
 */
export function metricsRoutes(app: FastifyInstance, services: Services) {
  const { metrics } = services;
  app.get("/metrics", { config: { public: true }, schema: { hide: true } }, async (request, reply) => {
    if (!scrapeAllowed(services.config.metrics.token, request.headers.authorization)) {
      return reply.code(401).header("www-authenticate", "Bearer").send({
        code: 401,
        msg: "GET /metrics needs Authorization: Bearer <HOOKLINE_METRICS_TOKEN>",
        data: null,
      });
    }
    const text = await metrics.render();
    return reply.type(metrics.contentType).send(text);
  });
}
