import { createServer, type Server } from "node:http";
import { sameSecret } from "../lib/secrets.js";
import type { Metrics } from "./metrics.js";

/**
 * Whether an Authorization header carries the metrics token. With no token configured every scrape is let in.
 * The comparison takes the same time whatever the lengths (sameSecret).
 */
export function scrapeAllowed(token: string | null, authorization: string | undefined): boolean {
  if (token === null) return true;
  return sameSecret(/^Bearer (.+)$/i.exec(authorization ?? "")?.[1] ?? "", token);
}

/** A listener that serves GET /metrics alone (and 404 for anything else). */
export interface MetricsListener {
  /** `http://host:port` as bound. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Starts the metrics-only listener (`HOOKLINE_METRICS_PORT`): a worker has no API to serve /metrics from, and an
 * API process may keep its metrics off the public port. Plain node:http: one route, no body, nothing to parse.
 */
export async function startMetricsListener(
  metrics: Metrics,
  opts: { host: string; port: number; token: string | null },
): Promise<MetricsListener> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path !== "/metrics" || (req.method !== "GET" && req.method !== "HEAD")) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
      return;
    }
    if (!scrapeAllowed(opts.token, req.headers.authorization)) {
      res
        .writeHead(401, { "content-type": "text/plain", "www-authenticate": "Bearer" })
        .end("unauthorized\n");
      return;
    }
    metrics.render().then(
      (text) =>
        res.writeHead(200, { "content-type": metrics.contentType }).end(req.method === "HEAD" ? "" : text),
      () => res.writeHead(500, { "content-type": "text/plain" }).end("metrics unavailable\n"),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const bound = server.address();
  if (bound === null || typeof bound === "string") throw new Error("the metrics listener has no TCP address");
  const host = bound.address.includes(":") ? `[${bound.address}]` : bound.address;
  return {
    url: `http://${host}:${bound.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
