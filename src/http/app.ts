import cookie from "@fastify/cookie";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  LogController,
} from "fastify";
import { HooklineError, toError } from "../lib/errors.js";
import type { Services } from "../services/index.js";
import { settleAbort } from "./aborts.js";
import { registerAuth } from "./auth.js";
import { BodyWatch } from "./body-watch.js";
import { type EnvelopeOptions, sendError } from "./envelope.js";
import { registerRequestLimits, serverLimits } from "./limits.js";
import { registerRateLimit } from "./rate-limit.js";
import { documentAccess, SECURITY_SCHEMES, SHARED_SCHEMAS, TAGS } from "./reference.js";
import { RouteRegistry } from "./routes-registry.js";
import { registerUploadCap } from "./upload-cap.js";
import type { WebhookDoc } from "./webhooks.js";

/** A group of routes: the common ones and each family's. */
export type RouteModule = (app: FastifyInstance, services: Services) => void | Promise<void>;

/** Maps errors Fastify raises itself onto the contract's codes (spec 13). */
export function fromFastifyError(error: FastifyError): HooklineError {
  if (error instanceof HooklineError) return error;
  if (error.validation) {
    const first = error.validation[0];
    const where = first?.instancePath ? first.instancePath.slice(1).replace(/\//g, ".") : "";
    const param = (first?.params as { missingProperty?: string } | undefined)?.missingProperty;
    const subject = param ?? (where || error.validationContext || "request");
    return new HooklineError(
      "bad_request",
      `Invalid parameters: ${subject} ${first?.message ?? "is invalid"}`,
    );
  }
  switch (error.code) {
    case "FST_ERR_CTP_INVALID_JSON_BODY":
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return new HooklineError("malformed_body", "Malformed JSON body");
    case "FST_ERR_CTP_BODY_TOO_LARGE":
    case "FST_REQ_FILE_TOO_LARGE":
      return new HooklineError("payload_too_large", "Request body too large");
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return new HooklineError("bad_request", "Unsupported Content-Type");
    default:
      if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
        return new HooklineError("bad_request", error.message);
      }
      return toError(error);
  }
}

/**
 * Builds the HTTP server: request limits, envelope and error mapping, auth, OpenAPI, and the given route modules.
 * Request bodies are validated without type coercion; query strings are plain strings parsed by the routes.
 * `webhooks`: the families' callbacks, for the reference's OpenAPI 3.1 `webhooks`.
 */
export async function buildApp(
  services: Services,
  modules: readonly RouteModule[],
  webhooks: Readonly<Record<string, WebhookDoc>> = {},
): Promise<FastifyInstance> {
  const { config } = services;
  const envelope: EnvelopeOptions = { dialect: config.codeDialect, mirror: config.httpStatusMirrorsCode };
  const log = services.log as FastifyBaseLogger;
  const watch = new BodyWatch({
    minBytesPerS: config.http.minBodyBytesPerS,
    idleMs: config.http.idleTimeoutMs,
  });
  const app = Fastify({
    ...serverLimits(config.http, watch, log),
    loggerInstance: log,
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: config.trustProxy,
    bodyLimit: 1024 * 1024,
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
    return503OnClosing: true,
    forceCloseConnections: "idle",
  });
  registerRequestLimits(app, config.http, watch);
  const routes = new RouteRegistry();
  app.addHook("onRoute", (route) => {
    routes.add(route.url);
    documentAccess(route);
  });
  // Response schemas document the answers; they do not serialize. By default an error is sent with HTTP 200 too,
  // and fast-json-stringify, picking the schema by status, would drop its fields (test/api/openapi-reference
  // checks real answers against the schemas instead).
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  for (const schema of SHARED_SCHEMAS) app.addSchema(schema);

  await app.register(swagger, {
    openapi: {
      // 3.1: the callbacks are described as `webhooks`, which 3.0 does not have.
      openapi: "3.1.0",
      info: {
        title: "Hookline API",
        version: "0.1.0",
        description:
          "Self-hosted, wire-compatible task-and-callback API (WAV conversion, cover art, custom voice). Every answer is the envelope `{code, msg, data}` (HTTP 200 unless HOOKLINE_HTTP_STATUS_MIRRORS_CODE is on); the callbacks are under `webhooks`. The contract (fields, codes, the choices where the resellers' docs disagree) is docs/api.md in the repository.",
      },
      components: { securitySchemes: SECURITY_SCHEMES },
      security: [{ bearer: [] }],
      tags: TAGS.map((t) => ({ ...t })),
      webhooks,
    },
    // Shared schemas keep their names under components.schemas (instead of def-0, def-1, …).
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) =>
        typeof json.$id === "string" ? json.$id : `def-${i}`,
    },
  });
  await app.register(swaggerUi, { routePrefix: "/docs" });
  app.get("/openapi.json", { config: { public: true }, schema: { hide: true } }, async () => app.swagger());

  await app.register(cookie);
  registerAuth(app, services.store, services.clock, config.adminToken);
  registerRateLimit(app, services);
  registerUploadCap(app, config.http.maxUploadsPerKey);

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (settleAbort(request, error)) return; // the client is gone: nobody to answer (logged once, low)
    const mapped = fromFastifyError(error);
    if (mapped.code === "internal") request.log.error({ err: error, url: request.url }, "request failed");
    return sendError(reply, mapped, envelope);
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split("?")[0] ?? "/";
    const known = routes.knows(path);
    return reply.code(known ? 405 : 404).send({
      code: 404,
      msg: known ? `Method ${request.method} not allowed on ${path}` : `Not found: ${path}`,
      data: null,
    });
  });

  for (const module of modules) await module(app, services);
  return app;
}

export type { EnvelopeOptions };
