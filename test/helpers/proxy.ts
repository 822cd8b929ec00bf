/**
 * A round-robin HTTP proxy on 127.0.0.1, port 0: the one address (`HOOKLINE_PUBLIC_URL`) in front of several
 * `hookline api` processes, as a load balancer would be. Requests and answers are streamed through unchanged.
 */
import { Agent, createServer, request } from "node:http";
import type { AddressInfo } from "node:net";

export interface ApiProxy {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  close(): Promise<void>;
}

/** Starts the proxy in front of `targets` (origins such as `http://127.0.0.1:4001`). */
export async function startProxy(targets: readonly string[]): Promise<ApiProxy> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  let next = 0;
  const server = createServer((req, res) => {
    const target = new URL(targets[next++ % targets.length] ?? "");
    const upstream = request(
      {
        agent,
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  // Longer than any pause of the test's clients: a kept-alive connection closed by the proxy just as a client
  // reuses it would fail a POST with ECONNRESET.
  server.keepAliveTimeout = 600_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        agent.destroy();
        server.close(() => resolve());
      }),
  };
}
