import type { IncomingHttpHeaders, ServerOptions } from "node:http";
import type { Socket } from "node:net";
import type { FastifyBaseLogger, FastifyInstance } from "fastify";
import type { Config } from "../config/index.js";
import { cutOff, noteGone, remoteOf } from "./aborts.js";
import type { BodyWatch } from "./body-watch.js";

type HttpLimits = Config["http"];

/** Node's deadline check runs every this many ms (Node's default, 30 s, lets a 15 s limit run to 45 s). */
export function checkIntervalMs(limitMs: number): number {
  return Math.min(1000, Math.max(50, Math.floor(limitMs / 10)));
}

/**
 * The Fastify and Node server options for the request time limits. Node enforces `headersTimeout` (from the
 * connection, or the first byte of a keep-alive request, to the end of its headers) and `requestTimeout` (to the
 * end of the body) on each check interval; Fastify's defaults would turn `requestTimeout` off (0). The socket
 * inactivity timeout (`connectionTimeout`) stays off: it would also fire while a request is being processed (a
 * URL upload downloads for up to 30 s in silence). Silence mid-body and slow bodies are the BodyWatch's job, and
 * idle keep-alive connections close after Fastify's `keepAliveTimeout` (72 s, above common proxies' 60 s).
 */
export function serverLimits(limits: HttpLimits, watch: BodyWatch, log: FastifyBaseLogger) {
  const headersTimeout = Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs);
  const http: ServerOptions = {
    headersTimeout,
    requestTimeout: limits.requestTimeoutMs,
    connectionsCheckingInterval: checkIntervalMs(headersTimeout),
  };
  return {
    http,
    requestTimeout: limits.requestTimeoutMs,
    connectionTimeout: 0,
    clientErrorHandler: (error: Error & { code?: string }, socket: Socket) =>
      onClientError(error, socket, watch, log),
  };
}

const STATUS: Record<number, string> = {
  400: "Bad Request",
  408: "Request Timeout",
  431: "Header Too Large",
};
/** A reset says nothing about a request (an idle keep-alive connection may be reset); an early FIN does. */
const RESETS = new Set(["ECONNRESET", "EPIPE"]);

/**
 * Node's `clientError`: a deadline it enforced, a request it could not parse, or a client that left. Timeouts are
 * our cut-offs (info, saying which); a client that left mid-request or sent garbage is a debug line; a reset
 * outside a request body is not worth one. A status line is written only where no request is in progress.
 */
function onClientError(
  error: Error & { code?: string },
  socket: Socket,
  watch: BodyWatch,
  log: FastifyBaseLogger,
) {
  const request = watch.receiving(socket);
  const code =
    error.code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : error.code === "HPE_HEADER_OVERFLOW" ? 431 : 400;
  if (!request && socket.writable && !socket.destroyed) {
    const body = JSON.stringify({ code, msg: STATUS[code], data: null });
    const head = `Connection: close\r\nContent-Type: application/json\r\nContent-Length: ${body.length}`;
    socket.write(`HTTP/1.1 ${code} ${STATUS[code]}\r\n${head}\r\n\r\n${body}`);
  }
  const fields = request ? { method: request.method, url: request.url } : {};
  const where = request?.log ?? log;
  const reset = RESETS.has(error.code ?? "");
  if (code === 408) cutOff(socket, where, request ? "request timeout" : "headers timeout", fields);
  else if (request || !reset) {
    const left = reset || error.code === "HPE_INVALID_EOF_STATE";
    const msg = left ? "client closed the connection mid-request" : "malformed request";
    noteGone(socket, where, { code: error.code, remote: remoteOf(socket), ...fields }, msg);
  }
  socket.destroy();
}

/**
 * Installs the connection cap, the body watch and the one-line log of client aborts on a new app, before any other
 * hook (so that a body is watched even when auth refuses its request).
 */
export function registerRequestLimits(app: FastifyInstance, limits: HttpLimits, watch: BodyWatch): void {
  app.server.maxConnections = limits.maxConnections;
  let dropped = 0;
  let loggedAt = Number.NEGATIVE_INFINITY;
  app.server.on("drop", () => {
    dropped++;
    // A flood of refused connections is one warning a minute, not one line each.
    if (Date.now() - loggedAt < 60_000) return;
    loggedAt = Date.now();
    app.log.warn(
      { dropped, maxConnections: limits.maxConnections },
      "connection limit reached: refusing connections",
    );
    dropped = 0;
  });
  app.addHook("onRequest", (request, _reply, done) => {
    watch.watch(request);
    done();
  });
  // A reply sent before its request's body was read to the end (a refused upload) drops the rest of the body, as
  // Node does for a body nobody read: a refused multipart upload leaves it piped into a parser that stopped, and
  // on a kept-alive connection the client's next request then waited behind that unread rest for good. Closing
  // the connection instead would reset a client still sending (EPIPE before it reads the answer).
  app.addHook("onSend", (request, _reply, payload, done) => {
    const raw = request.raw;
    if (!raw.complete && !raw.destroyed && hasBody(raw.headers)) {
      raw.unpipe();
      raw.resume();
    }
    done(null, payload);
  });
  app.addHook("onRequestAbort", (request, done) => {
    noteGone(request.socket, request.log, { method: request.method, url: request.url });
    done();
  });
  app.addHook("onClose", (_app, done) => {
    watch.stop();
    done();
  });
}

/** Whether a request's headers announce a body (a length above zero, or chunks). */
function hasBody(headers: IncomingHttpHeaders): boolean {
  return Number(headers["content-length"] ?? 0) > 0 || headers["transfer-encoding"] !== undefined;
}
