import type { FastifyInstance, FastifyRequest } from "fastify";
import { type Session, sessionOf } from "../console/index.js";
import { createKeyCache, liveKeyById } from "../keys/index.js";
import type { Clock } from "../lib/clock.js";
import { HooklineError } from "../lib/errors.js";
import { sameSecret } from "../lib/secrets.js";
import type { ApiKeyTable, Store } from "../store/index.js";

declare module "fastify" {
  interface FastifyRequest {
    apiKey: ApiKeyTable | null;
    /** Set on admin routes once the caller proved to be the operator. */
    operator: boolean;
  }
  interface FastifyContextConfig {
    /** Routes that answer without a Bearer key (signed files, health, docs). */
    public?: boolean;
    /** Routes of the operator: the admin token, or a console session signed in with it. */
    admin?: boolean;
  }
}

/** The console's session cookie (HttpOnly, SameSite=Strict; see src/routes/console.ts). */
export const SESSION_COOKIE = "hookline_session";

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Whether a request comes from a page of this origin. A cookie is sent by the browser whatever page asks, so a
 * request that changes something on the strength of a cookie must come from the console itself: Fetch Metadata
 * where the browser sends it, else the Origin header (every browser sends one on a cross-origin POST or DELETE).
 * SameSite=Strict already keeps the cookie off cross-site requests; this also refuses sibling subdomains.
 */
export function fromSameOrigin(request: FastifyRequest): boolean {
  const site = request.headers["sec-fetch-site"];
  if (typeof site === "string") return site === "same-origin";
  const origin = request.headers.origin;
  if (typeof origin !== "string") return false;
  try {
    return new URL(origin).host === request.host;
  } catch {
    return false;
  }
}

/** The console session a request's cookie names, or null. */
export async function cookieSession(
  request: FastifyRequest,
  store: Store,
  clock: Clock,
): Promise<Session | null> {
  const token = request.cookies[SESSION_COOKIE];
  return token ? sessionOf(store.db, token, clock.now()) : null;
}

/**
 * Authentication. It runs after routing, so an unknown path answers 404 rather than 401, and skips routes marked
 * `config: { public: true }`. A request is the key's whose Bearer token it sends, or, without one, the key's of a
 * console session cookie (a tenant's). Admin routes take the admin token, or an operator's session. Keys found
 * are cached; every change to a key empties the cache before the next request (see createKeyCache), so a
 * revocation from anywhere takes effect at once.
 */
export function registerAuth(
  app: FastifyInstance,
  store: Store,
  clock: Clock,
  adminToken: string | null,
): void {
  const keys = createKeyCache(store.db);
  app.decorateRequest("apiKey", null);
  app.decorateRequest("operator", false);
  app.addHook("onRequest", async (request) => {
    const config = request.routeOptions.config;
    if (request.routeOptions.url === undefined || config.public) return;
    // Signed files, the API reference and the console's own page and assets are for anyone; what the console
    // shows comes from the API, under this hook.
    if (/^\/(docs|files\/|console\/)/.test(request.url)) return;
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? "")?.[1];
    const session = bearer === undefined ? await cookieSession(request, store, clock) : null;
    if (session && !SAFE.has(request.method) && !fromSameOrigin(request))
      throw new HooklineError(
        "unauthorized",
        "Unauthorized: a cross-site request cannot use the console's session",
      );
    if (config.admin) {
      const ok =
        bearer === undefined
          ? session?.kind === "operator"
          : adminToken !== null && sameSecret(bearer, adminToken);
      if (!ok)
        throw new HooklineError(
          "unauthorized",
          "Unauthorized: the admin token is required (Authorization: Bearer <HOOKLINE_ADMIN_TOKEN>)",
        );
      request.operator = true;
      return;
    }
    let key: ApiKeyTable | null = null;
    if (bearer !== undefined) key = await keys.authenticate(bearer);
    else if (session?.kind === "tenant" && session.keyId !== null)
      key = await liveKeyById(store.db, session.keyId);
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
