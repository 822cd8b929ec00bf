import { readFileSync } from "node:fs";
import fastifyStatic from "@fastify/static";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { S3Settings } from "../config/index.js";
import {
  consoleAssetsDir,
  endSession,
  openSession,
  redeemLink,
  SESSION_MS,
  type SessionKind,
} from "../console/index.js";
import { cookieSession, fromSameOrigin, SESSION_COOKIE, sendOk } from "../http/index.js";
import { authenticate, liveKeyById } from "../keys/index.js";
import { HooklineError } from "../lib/errors.js";
import { sameSecret } from "../lib/secrets.js";
import type { Services } from "../services/index.js";

/**
 * Every console page and asset is served by Hookline itself: no CDN, no external font, no inline script. The
 * policy forbids anything else, so an injected tag in a task's data could neither run nor send data away.
 */
export function consoleCsp(mediaOrigins: readonly string[] = []): string {
  const media = ["'self'", ...mediaOrigins].join(" ");
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src ${media} data: blob:`,
    `media-src ${media} blob:`,
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/**
 * Where a browser may be sent for a file's bytes besides Hookline: with presigned downloads the file route
 * redirects to the bucket, and the policy must let covers and players follow (the endpoint's origin, or AWS's
 * bucket hosts). Nothing otherwise.
 */
export function storageOrigins(s3: S3Settings | null): string[] {
  if (!s3?.presignedDownloads) return [];
  if (s3.endpoint !== null) return [new URL(s3.endpoint).origin];
  return [`https://${s3.bucket}.s3.${s3.region}.amazonaws.com`, `https://s3.${s3.region}.amazonaws.com`];
}

function securityHeaders(reply: FastifyReply, csp: string): void {
  reply
    .header("content-security-policy", csp)
    .header("x-content-type-options", "nosniff")
    .header("referrer-policy", "no-referrer")
    .header("x-frame-options", "DENY");
}

/** Sign-in attempts per client address and minute: the admin token may be one a person chose. */
const SIGN_IN_PER_MINUTE = 20;

const signInBody = Type.Object(
  {
    apiKey: Type.Optional(Type.String({ maxLength: 200 })),
    adminToken: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);

/**
 * The console: its pages and assets under /console/, and the sign-in that turns an API key or the admin token
 * into a session cookie (HttpOnly, SameSite=Strict, Secure over HTTPS), so that the secret is sent once and kept
 * in no URL, log or browser storage. `/`, `/console` and `/dashboard` lead to it.
 */
export async function consoleRoutes(fastify: FastifyInstance, services: Services) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { store, clock, config } = services;
  const csp = consoleCsp(storageOrigins(config.s3));
  const failures = new Map<string, { minute: number; count: number }>();

  function limitSignIn(request: FastifyRequest): void {
    const minute = Math.floor(clock.now() / 60_000);
    const seen = failures.get(request.ip);
    if (seen && seen.minute === minute && seen.count >= SIGN_IN_PER_MINUTE)
      throw new HooklineError("rate_limited", "Too many failed sign-ins from this address; wait a minute");
    if (failures.size > 10_000) failures.clear();
  }
  function countFailure(request: FastifyRequest): void {
    const minute = Math.floor(clock.now() / 60_000);
    const seen = failures.get(request.ip);
    failures.set(request.ip, { minute, count: seen && seen.minute === minute ? seen.count + 1 : 1 });
  }
  function failed(request: FastifyRequest): never {
    countFailure(request);
    throw new HooklineError("unauthorized", "Unauthorized: that key or token is not valid");
  }

  async function signIn(
    reply: FastifyReply,
    request: FastifyRequest,
    kind: SessionKind,
    keyId: string | null,
  ) {
    const { token } = await openSession(store.db, kind, keyId, clock.now());
    reply.setCookie(SESSION_COOKIE, token, {
      path: "/",
      httpOnly: true,
      sameSite: "strict",
      secure: request.protocol === "https",
      maxAge: Math.floor(SESSION_MS / 1000),
    });
  }

  const hidden = { hide: true };

  app.post(
    "/console/session",
    { config: { public: true }, schema: { ...hidden, body: signInBody } },
    async (request, reply) => {
      // A sign-in form on another site could otherwise sign the browser into the attacker's key.
      if (!fromSameOrigin(request))
        throw new HooklineError("unauthorized", "Unauthorized: sign in from the console's own page");
      limitSignIn(request);
      const body = request.body;
      if (body.adminToken !== undefined) {
        if (config.adminToken === null || !sameSecret(body.adminToken, config.adminToken)) failed(request);
        await signIn(reply, request, "operator", null);
        return sendOk(reply, { kind: "operator", keyName: null });
      }
      const key = body.apiKey ? await authenticate(store, body.apiKey) : null;
      if (!key) failed(request);
      await signIn(reply, request, "tenant", key.id);
      return sendOk(reply, { kind: "tenant", keyName: key.name });
    },
  );

  app.get("/console/session", { config: { public: true }, schema: hidden }, async (request, reply) => {
    const session = await cookieSession(request, store, clock);
    const key = session?.keyId ? await liveKeyById(store.db, session.keyId) : null;
    if (!session || (session.kind === "tenant" && !key))
      throw new HooklineError("unauthorized", "Not signed in");
    return sendOk(reply, {
      kind: session.kind,
      keyName: key?.name ?? null,
      adminTokenConfigured: config.adminToken !== null,
    });
  });

  app.delete("/console/session", { config: { public: true }, schema: hidden }, async (request, reply) => {
    const token = request.cookies[SESSION_COOKIE];
    if (token && fromSameOrigin(request)) await endSession(store.db, token);
    reply.clearCookie(SESSION_COOKIE, { path: "/" });
    return sendOk(reply, null);
  });

  app.get(
    "/console/link",
    {
      config: { public: true },
      schema: { ...hidden, querystring: Type.Object({ token: Type.Optional(Type.String()) }) },
    },
    async (request, reply) => {
      securityHeaders(reply, csp);
      reply.header("cache-control", "no-store");
      limitSignIn(request);
      const token = request.query.token ?? "";
      if (!(await redeemLink(store.db, token, clock.now()))) {
        countFailure(request);
        return reply
          .code(401)
          .type("text/plain; charset=utf-8")
          .send("This sign-in link was used already or has expired: run `hookline console-link` again.\n");
      }
      await signIn(reply, request, "operator", null);
      return reply.redirect("/console/#/keys", 303);
    },
  );

  for (const path of ["/", "/console", "/dashboard"])
    app.get(path, { config: { public: true }, schema: hidden }, async (_request, reply) =>
      reply.redirect("/console/", 302),
    );

  const dir = consoleAssetsDir();
  if (dir === null) {
    app.get("/console/*", { config: { public: true }, schema: hidden }, async (_request, reply) => {
      securityHeaders(reply, csp);
      return reply
        .code(503)
        .type("text/plain; charset=utf-8")
        .send("The console was not built: run `npm run build` (scripts/build-console.mjs).\n");
    });
    return;
  }
  const index = readFileSync(`${dir}/index.html`);
  await app.register(fastifyStatic, {
    root: dir,
    prefix: "/console/",
    preCompressed: true,
    index: false,
    wildcard: false,
    cacheControl: false,
    setHeaders: (res, path) => {
      securityHeaders(res, csp);
      // Bundles are named by their content hash: kept for a year; everything else is checked each time.
      res.header(
        "cache-control",
        /\.[0-9A-Z]{8}\.(js|css)(\.br|\.gz)?$/i.test(path)
          ? "public, max-age=31536000, immutable"
          : "no-cache",
      );
    },
    allowedPath: (path) => !path.endsWith(".map"),
  });
  // The console is one page: its routes are in the fragment (`/console/#/tasks/…`).
  const page = async (_request: FastifyRequest, reply: FastifyReply) => {
    securityHeaders(reply, csp);
    return reply.header("cache-control", "no-cache").type("text/html; charset=utf-8").send(index);
  };
  app.get("/console/", { config: { public: true }, schema: hidden }, page);
}
