import type { Socket } from "node:net";
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from "fastify";

/**
 * Clients that go away mid-request, and the ones this server cuts off. Either way there is nobody left to answer
 * and nothing wrong inside the server: such an end is logged once, without a stack (`info` with the reason when we
 * cut, `debug` when the client left), and never answered. Real errors keep their error-level log.
 */

/** Sockets whose end has been logged, so that each abort is one line however many parts notice it. */
const noted = new WeakSet<Socket>();

/** Ends a connection we refuse to keep (too slow, silent, out of time): one info line with the reason, then destroy. */
export function cutOff(
  socket: Socket,
  log: FastifyBaseLogger,
  reason: string,
  fields: Record<string, unknown> = {},
): void {
  if (!noted.has(socket)) {
    noted.add(socket);
    log.info({ reason, remote: remoteOf(socket), ...fields }, `connection cut off: ${reason}`);
  }
  socket.destroy();
}

/** Notes a client that left by itself mid-request: one debug line (none when its end is already logged). */
export function noteGone(
  socket: Socket,
  log: FastifyBaseLogger,
  fields: Record<string, unknown> = {},
  msg = "client closed the connection mid-request",
): void {
  if (noted.has(socket)) return;
  noted.add(socket);
  log.debug(fields, msg);
}

/** Marks a connection we answered and close on purpose before its body came (its end is no abort to log). */
export function closingOnPurpose(socket: Socket): void {
  noted.add(socket);
}

/** `address:port` of the peer while the socket is open (an aborted socket has forgotten it). */
export function remoteOf(socket: Socket): string | undefined {
  return socket.remoteAddress === undefined ? undefined : `${socket.remoteAddress}:${socket.remotePort}`;
}

/** What a vanished client leaves in the streams that were reading its request (codes; messages for busboy's). */
const ABORT_CODES = new Set([
  "ECONNRESET",
  "EPIPE",
  "ECONNABORTED",
  "ERR_STREAM_PREMATURE_CLOSE",
  "ERR_STREAM_DESTROYED",
  "ERR_STREAM_UNABLE_TO_PIPE",
  "ERR_HTTP_REQUEST_TIMEOUT",
  "FST_ERR_CTP_INVALID_CONTENT_LENGTH",
]);
const ABORT_MESSAGES =
  /^(aborted|Premature close|Unexpected end of (form|multipart data)|Part terminated early)$/i;

/** Whether `error` (or one of its causes) is what a client's disconnection leaves behind. */
export function isAbortError(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = "code" in e ? e.code : undefined;
    if (typeof code === "string" && (ABORT_CODES.has(code) || code.startsWith("HPE_"))) return true;
    if (ABORT_MESSAGES.test(e.message)) return true;
  }
  return false;
}

/** Whether the client of `request` is gone: its connection is destroyed, or its body was cut short. */
export function clientGone(request: FastifyRequest): boolean {
  return request.socket.destroyed || (request.raw.destroyed && !request.raw.complete);
}

/**
 * The classifier both error handlers call first. When the request's client is gone it settles the request and
 * answers true: the end is logged once (at `debug`, or not again after our own cut-off), or at `error` with its
 * stack when `error` is not what an abort explains; the socket is destroyed and the handler must not answer.
 * Answers false for a live client: the handler maps and answers the error as usual.
 *
 * @example
 * app.setErrorHandler((error, request, reply) => {
 *   if (settleAbort(request, error)) return;
 *   return sendError(reply, fromFastifyError(error), envelope);
 * });
 */
export function settleAbort(request: FastifyRequest, error: unknown): boolean {
  if (!clientGone(request)) return false;
  if (isAbortError(error) || noted.has(request.socket)) {
    noteGone(request.socket, request.log, { url: request.url, method: request.method });
  } else {
    request.log.error({ err: error, url: request.url }, "request failed after its client left");
  }
  request.socket.destroy();
  return true;
}

/**
 * A signal that aborts when the client's connection ends before its answer was sent (it hung up, or the server
 * is stopping and closed it): work done only for that answer, such as fetching an upload's source, stops then
 * instead of running on for nobody, and holding up a graceful stop.
 */
export function answerWanted(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once("close", () => {
    if (!reply.raw.writableFinished)
      controller.abort(new Error("the client's connection closed before the answer"));
  });
  return controller.signal;
}
