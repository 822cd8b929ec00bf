/**
 * Hostile HTTP peers on loopback, written with `node:net` so that they can break the protocol on purpose (issue 9):
 * each path names one behaviour, answered to the first request of a connection. Timers and sockets end with the
 * connection or with `close()`.
 */
import { createServer, type Socket } from "node:net";
import { promisify } from "node:util";
import { gzip } from "node:zlib";

/** Body size of the FIN peers: larger than any stream high-water mark, as Python's 480 KB file was. */
export const BODY_BYTES = 480_000;
/** The body the peers send: a recognisable pattern, so a test can check what arrived. */
export const BODY = Buffer.alloc(BODY_BYTES, "hookline-");
/** Zeros inflated by the gzip bomb: many MB from a few KB on the wire. */
export const BOMB_INFLATED_BYTES = 32 * 1024 * 1024;

/** Made once per test file, before the peer listens, so that no answer waits for the compression. */
let bomb: Promise<Buffer> | null = null;

const head = (status: string, headers: string[]): string => `${status}\r\n${headers.join("\r\n")}\r\n\r\n`;

/** Writes forever (chunked), as fast as the reader takes it, until the connection ends. */
function endless(socket: Socket): void {
  socket.write(head("HTTP/1.1 200 OK", ["Content-Type: audio/mpeg", "Transfer-Encoding: chunked"]));
  const chunk = Buffer.concat([Buffer.from("10000\r\n"), Buffer.alloc(0x10000, 7), Buffer.from("\r\n")]);
  const pump = (): void => {
    while (!socket.destroyed && socket.write(chunk));
    if (!socket.destroyed) socket.once("drain", pump);
  };
  pump();
}

/** The behaviours, by path (the first segment). */
type Answer = (socket: Socket, every: (ms: number, fn: () => void) => void, bomb: Buffer) => void;

const BEHAVIOURS: Record<string, Answer> = {
  /** Python's http.server: HTTP/1.0, Content-Length, the whole body at once, then FIN. The reproduction. */
  "fin-after-body": (s) => {
    s.write(head("HTTP/1.0 200 OK", ["Content-Type: audio/mpeg", `Content-Length: ${BODY_BYTES}`]));
    s.end(BODY);
  },
  /** No length at all: the body ends where the connection does (valid HTTP/1.1). */
  "close-delimited": (s) => {
    s.write(head("HTTP/1.1 200 OK", ["Content-Type: audio/mpeg", "Connection: close"]));
    s.end(BODY);
  },
  /** Promises twice what it sends, then FIN. */
  "short-length": (s) => {
    s.write(head("HTTP/1.1 200 OK", [`Content-Length: ${BODY_BYTES * 2}`]));
    s.end(BODY);
  },
  /** A valid chunk, then a chunk size that is not hex; the connection stays open. */
  "bad-chunked": (s) => {
    s.write(head("HTTP/1.1 200 OK", ["Transfer-Encoding: chunked"]));
    s.write("4\r\nabcd\r\nzz-not-a-size\r\nxxxxxxxx\r\n");
  },
  endless: (s) => endless(s),
  /** One byte a second, of a body that claims 1,000. */
  drip: (s, every) => {
    s.write(head("HTTP/1.1 200 OK", ["Content-Length: 1000"]));
    every(1000, () => s.write("x"));
  },
  /** About 1 MB of headers. */
  "huge-headers": (s) => {
    const pad = "p".repeat(1000);
    const lines = Array.from({ length: 1000 }, (_, i) => `X-Pad-${i}: ${pad}`);
    s.end(`${head("HTTP/1.1 200 OK", [...lines, "Content-Length: 2"])}ok`);
  },
  /** 32 MB of zeros, gzipped to a few KB, with Content-Encoding: gzip whatever was asked. */
  "gzip-bomb": (s, _every, body) => {
    s.write(
      head("HTTP/1.1 200 OK", [
        "Content-Type: audio/mpeg",
        "Content-Encoding: gzip",
        `Content-Length: ${body.length}`,
        "Connection: close",
      ]),
    );
    s.end(body);
  },
  /** Redirects to itself, forever. */
  loop: (s) => {
    s.end(head("HTTP/1.1 302 Found", ["Location: /loop", "Content-Length: 0", "Connection: close"]));
  },
  /** Accepts, reads the request, never answers. */
  silent: () => undefined,
  /** Part of the body, then a TCP reset. */
  "reset-mid-body": (s, every) => {
    s.write(head("HTTP/1.1 200 OK", [`Content-Length: ${BODY_BYTES * 2}`]));
    s.write(BODY);
    every(50, () => s.resetAndDestroy());
  },
  /** A TCP reset instead of any answer. */
  "reset-at-once": (s) => {
    s.resetAndDestroy();
  },
};

/** The names of all behaviours. */
export type Behaviour = keyof typeof BEHAVIOURS;

export interface HostilePeer {
  readonly port: number;
  /** `http://127.0.0.1:<port>/<behaviour>` */
  url(behaviour: string): string;
  /** Connections accepted so far. */
  readonly connections: number;
  close(): Promise<void>;
}

/** Starts the peer on 127.0.0.1, port 0. */
export async function startHostilePeer(): Promise<HostilePeer> {
  bomb ??= promisify(gzip)(Buffer.alloc(BOMB_INFLATED_BYTES), { level: 9 });
  const bombBody = await bomb;
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    const timers: NodeJS.Timeout[] = [];
    const every = (ms: number, fn: () => void): void => {
      timers.push(setInterval(fn, ms));
    };
    socket.on("error", () => undefined);
    socket.on("close", () => {
      sockets.delete(socket);
      for (const t of timers) clearInterval(t);
    });
    let seen = "";
    let answered = false;
    socket.on("data", (data: Buffer) => {
      if (answered) return;
      seen += data.toString("latin1");
      const end = seen.indexOf("\r\n\r\n");
      if (end < 0) return;
      // Wait for the request body too, so that the answer never races the client's own write.
      const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(seen.slice(0, end))?.[1] ?? 0);
      if (seen.length - end - 4 < length) return;
      answered = true;
      const path = /^[A-Z]+ \/([^/?\s]*)/.exec(seen)?.[1] ?? "";
      const behaviour = BEHAVIOURS[path];
      if (behaviour) behaviour(socket, every, bombBody);
      else socket.end(head("HTTP/1.1 404 Not Found", ["Content-Length: 0", "Connection: close"]));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    port,
    url: (behaviour) => `http://127.0.0.1:${port}/${behaviour}`,
    get connections() {
      return connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
