/**
 * Ready receivers for Node's `http`, Express, Fastify and the web `Request`/`Response` of fetch-style frameworks
 * (Hono, Next.js route handlers, Bun, Deno, Cloudflare Workers). Each one reads the raw body (signatures are over
 * the exact bytes, so it must not be parsed first) and hands it to {@link createCallbackHandler}.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { type CallbackHandlerOptions, createCallbackHandler, type HandlerAnswer } from "./handler.js";

/** Options shared by the adapters. */
export interface AdapterOptions extends CallbackHandlerOptions {
  /** Largest body accepted, bytes (default 1 MiB; callbacks are small). */
  maxBodyBytes?: number;
}

class TooLarge extends Error {}

function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        req.removeAllListeners("data");
        req.resume();
        reject(new TooLarge());
      } else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function write(res: ServerResponse, answer: HandlerAnswer): void {
  res.writeHead(answer.status, answer.headers).end(JSON.stringify(answer.body));
}

const tooLarge: HandlerAnswer = {
  status: 413,
  headers: { "content-type": "application/json" },
  body: { ok: false, error: "payload_too_large", message: "callback body too large" },
};

/**
 * A Node `http` request listener that receives callbacks (any path; POST only).
 *
 * @example
 * http.createServer(nodeCallbackListener({ keys, onCallback: (cb) => console.log(cb.family, cb.taskId) })).listen(8080);
 */
export function nodeCallbackListener(
  options: AdapterOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const handle = createCallbackHandler(options);
  const max = options.maxBodyBytes ?? 1 << 20;
  return (req, res) => {
    if (req.method !== "POST") {
      res.writeHead(405, { allow: "POST" }).end();
      return;
    }
    readBody(req, max)
      .then((rawBody) => handle({ headers: req.headers, rawBody }))
      .then(
        (answer) => write(res, answer),
        (error: unknown) => write(res, error instanceof TooLarge ? tooLarge : internal(error)),
      );
  };
}

function internal(error: unknown): HandlerAnswer {
  return {
    status: 500,
    headers: { "content-type": "application/json" },
    body: { ok: false, error: "internal", message: (error as Error)?.message ?? String(error) },
  };
}

/**
 * Express middleware (Express 4 or 5) for a callback route. Mount it before `express.json()`, or after
 * `express.raw({ type: "application/json" })`: a body already parsed into an object cannot be verified, and is
 * answered 500 with a message saying so.
 *
 * @example
 * app.post("/hookline", expressCallbackMiddleware({ keys, onCallback }));
 */
export function expressCallbackMiddleware(
  options: AdapterOptions,
): (req: IncomingMessage & { body?: unknown }, res: ServerResponse, next: (error?: unknown) => void) => void {
  const handle = createCallbackHandler(options);
  const max = options.maxBodyBytes ?? 1 << 20;
  return (req, res, next) => {
    const given = req.body;
    let body: Promise<Buffer>;
    if (Buffer.isBuffer(given)) body = Promise.resolve(given);
    else if (typeof given === "string") body = Promise.resolve(Buffer.from(given, "utf8"));
    else if (given !== undefined && given !== null && Object.keys(given).length > 0) {
      write(
        res,
        internal(
          new Error("the body was parsed before the callback receiver: mount it before express.json()"),
        ),
      );
      return;
    } else body = readBody(req, max);
    body
      .then((rawBody) => handle({ headers: req.headers, rawBody }))
      .then(
        (answer) => write(res, answer),
        (error: unknown) => (error instanceof TooLarge ? write(res, tooLarge) : next(error)),
      );
  };
}

/**
 * A Fastify plugin that adds `POST <path>` receiving callbacks. Inside its own (encapsulated) context it reads
 * every body as raw bytes, so the rest of your app keeps Fastify's JSON parsing.
 *
 * @example
 * await app.register(fastifyCallbackPlugin, { path: "/hookline", keys, onCallback });
 */
export async function fastifyCallbackPlugin(
  app: FastifyInstance,
  options: AdapterOptions & { path: string },
): Promise<void> {
  const handle = createCallbackHandler(options);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer" }, (_req, body, done) => done(null, body));
  app.post(options.path, { bodyLimit: options.maxBodyBytes ?? 1 << 20 }, async (request, reply) =>
    sendFastify(reply, await handle({ headers: request.headers, rawBody: rawBodyOf(request) })),
  );
}

/**
 * A Fastify route handler, for apps that already keep the raw body: as `request.body` (a Buffer or string, from a
 * `parseAs: "buffer"` parser) or as `request.rawBody` (the fastify-raw-body convention).
 */
export function fastifyCallbackHandler(
  options: CallbackHandlerOptions,
): (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply> {
  const handle = createCallbackHandler(options);
  return async (request, reply) =>
    sendFastify(reply, await handle({ headers: request.headers, rawBody: rawBodyOf(request) }));
}

function rawBodyOf(request: FastifyRequest): Buffer | string {
  const raw = (request as { rawBody?: unknown }).rawBody;
  const body = raw ?? request.body;
  if (Buffer.isBuffer(body) || typeof body === "string") return body;
  throw new Error("no raw body: register fastifyCallbackPlugin, or keep the raw body as request.rawBody");
}

function sendFastify(reply: FastifyReply, answer: HandlerAnswer): FastifyReply {
  return reply.code(answer.status).headers(answer.headers).send(answer.body);
}

/**
 * A handler for fetch-style frameworks: takes a web `Request`, answers a web `Response`.
 *
 * @example
 * const receive = fetchCallbackHandler({ keys, onCallback });
 * export const POST = (request: Request) => receive(request); // Next.js route handler
 */
export function fetchCallbackHandler(options: AdapterOptions): (request: Request) => Promise<Response> {
  const handle = createCallbackHandler(options);
  const max = options.maxBodyBytes ?? 1 << 20;
  return async (request) => {
    if (request.method !== "POST") return new Response(null, { status: 405, headers: { allow: "POST" } });
    const rawBody = new Uint8Array(await request.arrayBuffer());
    const answer = rawBody.byteLength > max ? tooLarge : await handle({ headers: request.headers, rawBody });
    return new Response(JSON.stringify(answer.body), { status: answer.status, headers: answer.headers });
  };
}
