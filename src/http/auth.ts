import type { FastifyInstance, FastifyRequest } from "fastify";
import { createKeyCache } from "../keys/index.js";
import { HooklineError } from "../lib/errors.js";
import type { ApiKeyTable, Store } from "../store/index.js";

declare module "fastify" {
  interface FastifyRequest {
    apiKey: ApiKeyTable | null;
  }
  interface FastifyContextConfig {
    /** Routes that answer without a Bearer key (signed files, health, docs). */
    public?: boolean;
  }
}

/**
 * Bearer-key authentication. It runs after routing, so an unknown path answers 404 rather than 401, and skips
 * routes marked `config: { public: true }`. Keys found are cached; every change to a key empties the cache before
 * the next request (see createKeyCache), so a revocation from anywhere takes effect at once.
 */
export function registerAuth(app: FastifyInstance, store: Store): void {
  const keys = createKeyCache(store.db);
  app.decorateRequest("apiKey", null);
  app.addHook("onRequest", async (request) => {
    if (request.routeOptions.url === undefined || request.routeOptions.config.public) return;
    if (request.url.startsWith("/docs") || request.url.startsWith("/files/")) return;
    const header = request.headers.authorization ?? "";
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const key = match ? await keys.authenticate(match[1]!) : null;
    if (!key)
      throw new HooklineError(
        "unauthorized",
        "Unauthorized: a valid API key is required (Authorization: Bearer <key>)",
      );
    request.apiKey = key;
  });
}

/** The caller's key (set by the auth hook). */
export function keyOf(request: FastifyRequest): ApiKeyTable {
  if (!request.apiKey) throw new HooklineError("unauthorized", "Unauthorized");
  return request.apiKey;
}
