import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { LookupFn, ResolvedAddress } from "../../src/net/index.js";

/** A real HTTP server on 127.0.0.1, port 0, that counts the TCP connections it accepts. */
export interface Receiver {
  port: number;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  connections: number;
  requests: { method: string; url: string; headers: IncomingMessage["headers"]; body: string }[];
  close(): Promise<void>;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

export async function startReceiver(handler: Handler): Promise<Receiver> {
  const server = createServer();
  const receiver: Receiver = {
    port: 0,
    origin: "",
    connections: 0,
    requests: [],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  server.on("connection", () => {
    receiver.connections++;
  });
  server.on("request", (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      receiver.requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
      handler(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  receiver.port = (server.address() as AddressInfo).port;
  receiver.origin = `http://127.0.0.1:${receiver.port}`;
  return receiver;
}

/** A port that was just free: connecting to it is refused. */
export async function closedPort(): Promise<number> {
  const r = await startReceiver(() => undefined);
  await r.close();
  return r.port;
}

/** A resolver from a fixed table that counts its calls; unknown names fail with ENOTFOUND. */
export function tableLookup(
  table: Record<string, string | string[] | (() => string)>,
): LookupFn & { calls: string[] } {
  const calls: string[] = [];
  const fn = async (hostname: string): Promise<ResolvedAddress[]> => {
    calls.push(hostname);
    const entry = table[hostname];
    if (entry === undefined) {
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND", hostname });
    }
    const list = typeof entry === "function" ? [entry()] : Array.isArray(entry) ? entry : [entry];
    return list.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  };
  return Object.assign(fn, { calls });
}
