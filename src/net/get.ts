import {
  type ClientRequest,
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingMessage,
} from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type { ClientContext } from "./context.js";
import { bareHostname, type Target } from "./target.js";

/** Largest response head accepted (status line and headers); a larger one fails the request. */
export const MAX_HEADER_BYTES = 16 * 1024;

/** What is read of a redirect's or an error's body (so its socket can be reused) before it is dropped. */
const SKIP_BYTES = 64 * 1024;

/** One response of {@link GetSession.get}, with its request (whose late errors the session has already heard). */
export interface GetResponse {
  readonly res: IncomingMessage;
  readonly req: ClientRequest;
  /** The request's own error, if one came after the response (a parse error mid-body names its reason here). */
  lateError(): Error | null;
}

/** GET requests of one download, over node:http and node:https through the guarded lookup. */
export interface GetSession {
  get(target: Target, headers: Record<string, string>, signal: AbortSignal): Promise<GetResponse>;
  /** Destroys every socket of the session. */
  close(): void;
}

/**
 * Opens a session for one download. Downloads use Node's own HTTP client, not undici: its parser (llhttp in core)
 * takes a FIN that arrives while the body is held back by backpressure, which undici 7 turns into an uncatchable
 * assertion (nodejs/undici#5360, issue 9). The session's agents keep sockets alive so that redirects to the same
 * origin reuse one connection, and are destroyed with it, so no socket outlives the download.
 *
 * Each connection's host name goes through `ctx.lookup` (resolve once, vet every address, connect to what was
 * vetted); literal IPs never reach a lookup and are checked by the caller before each request. TLS sends the host
 * name as SNI and verifies the certificate against it (Node's defaults, which nothing here loosens).
 */
export function openGetSession(ctx: ClientContext): GetSession {
  const http = new HttpAgent({ keepAlive: true, maxSockets: 4 });
  const https = new HttpsAgent({ keepAlive: true, maxSockets: 4 });
  return {
    get: (target, headers, signal) =>
      new Promise((resolve, reject) => {
        const secure = target.url.protocol === "https:";
        let late: Error | null = null;
        let answered = false;
        const req = (secure ? httpsRequest : httpRequest)({
          agent: secure ? https : http,
          host: bareHostname(target.url),
          port: target.url.port === "" ? undefined : Number(target.url.port),
          path: `${target.url.pathname}${target.url.search}`,
          method: "GET",
          headers,
          lookup: ctx.lookup,
          maxHeaderSize: MAX_HEADER_BYTES,
          // Explicit, so that a process started with --insecure-http-parser still parses peers strictly.
          insecureHTTPParser: false,
          signal,
        });
        // Stays for the request's whole life: an error after the response (a broken chunk, a reset) is heard
        // here, and the response stream fails on its own.
        req.on("error", (err) => {
          if (answered) late ??= err;
          else reject(err);
        });
        req.on("response", (res) => {
          answered = true;
          resolve({ res, req, lateError: () => late });
        });
        req.end();
      }),
    close() {
      http.destroy();
      https.destroy();
    },
  };
}

/** Reads and drops a body of no interest, up to {@link SKIP_BYTES}; a longer or broken one is destroyed. */
export function skipBody(res: IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    const done = (): void => {
      res.off("data", onData);
      resolve();
    };
    const onData = (chunk: Buffer): void => {
      seen += chunk.length;
      if (seen > SKIP_BYTES) {
        res.destroy();
        done();
      }
    };
    res.on("data", onData);
    res.once("end", done);
    res.once("error", done);
  });
}
