/**
 * A GET with Node's own HTTP client, answered as a fetch `Response` whose body streams from the socket. File
 * downloads use it when no `fetch` was injected: the undici behind Node's global fetch (6.x on Node 22 and 7.x on
 * Node 24, since the EOF check of nodejs/undici#5273 came to both lines) kills the process with an uncatchable
 * `assert(!this.paused)` when a server closes the connection while the body is held back by a slower disk
 * (nodejs/undici#5360). Node's own parser takes that close as the end of the body.
 */
import { get as httpGet, type IncomingMessage } from "node:http";
import { get as httpsGet } from "node:https";
import { Readable } from "node:stream";

/** Statuses whose Response may carry no body. */
const NULL_BODY = new Set([101, 204, 205, 304]);

function toResponse(res: IncomingMessage): Response {
  const status = res.statusCode ?? 0;
  const headers = new Headers();
  for (const [name, value] of Object.entries(res.headers)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.set(name, value);
  }
  if (NULL_BODY.has(status)) {
    res.resume();
    return new Response(null, { status, headers });
  }
  return new Response(Readable.toWeb(res), { status, statusText: res.statusMessage ?? "", headers });
}

/**
 * GETs `url` (no redirects followed, no credentials sent) and resolves once the status and headers arrived.
 * Rejects with Node's error when no answer came; an error after that fails the body's stream.
 *
 * @example
 * const res = await nodeGet(record.response.audioWavUrl, signal);
 */
export function nodeGet(url: string, signal?: AbortSignal): Promise<Response> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const send = target.protocol === "https:" ? httpsGet : httpGet;
    const req = send(target, signal ? { signal } : {}, (res) => resolve(toResponse(res)));
    // Stays for the request's life: a late error (a reset mid-body) is also heard, and fails the body stream.
    req.on("error", reject);
  });
}
