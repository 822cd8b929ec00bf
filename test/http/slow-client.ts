/**
 * Slow HTTP clients on raw sockets (node:net), for the request-limit tests: they send headers and bodies byte by
 * byte, fall silent, and watch when and how the server ends the connection.
 */
import { connect, type Socket } from "node:net";
import { performance } from "node:perf_hooks";

export interface SlowClient {
  readonly socket: Socket;
  /** The client's own `address:port`, as the server sees (and logs) it. */
  readonly remote: string;
  /** Everything the server has sent so far. */
  received(): string;
  /** Settles when the connection is closed, with the ms since it opened. */
  readonly closed: Promise<number>;
  /** Like `closed`, but settles with -1 when the connection is still open after `ms` (its timer then cleared). */
  closedWithin(ms: number): Promise<number>;
  /** Settles when the server has sent its first bytes, with the ms since the client asked (`since`). */
  firstAnswer(since?: number): Promise<number>;
  write(text: string): void;
  /** Writes `byte` every `ms` until the connection closes. */
  drip(ms: number, byte?: string): void;
  /** Closes the connection (FIN). */
  destroy(): void;
  /** Resets the connection (RST), as a crashed client or a dropped network does. */
  reset(): void;
}

/** Opens a raw TCP connection to the server at `url`. */
export async function openSlowClient(url: string): Promise<SlowClient> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  socket.on("error", () => {}); // a reset by the server is what these clients expect
  const opened = performance.now();
  let text = "";
  let timer: NodeJS.Timeout | null = null;
  const closed = new Promise<number>((resolve) =>
    socket.once("close", () => {
      if (timer) clearInterval(timer);
      resolve(performance.now() - opened);
    }),
  );
  socket.on("data", (chunk: Buffer) => {
    text += chunk.toString("latin1");
  });
  return {
    socket,
    remote: `${socket.localAddress}:${socket.localPort}`,
    received: () => text,
    closed,
    closedWithin(ms) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<number>((r) => {
        timer = setTimeout(() => r(-1), ms);
      });
      return Promise.race([closed, late]).finally(() => clearTimeout(timer));
    },
    firstAnswer(since = opened) {
      if (text) return Promise.resolve(0);
      return new Promise((resolve, reject) => {
        socket.once("data", () => resolve(performance.now() - since));
        socket.once("close", () => reject(new Error("closed without an answer")));
      });
    },
    write: (s) => {
      if (!socket.destroyed) socket.write(s);
    },
    drip(ms, byte = "a") {
      timer = setInterval(() => {
        if (!socket.destroyed) socket.write(byte);
      }, ms);
    },
    destroy() {
      if (timer) clearInterval(timer);
      socket.destroy();
    },
    reset() {
      if (timer) clearInterval(timer);
      socket.resetAndDestroy();
    },
  };
}

const BOUNDARY = "hooklineslowclient";

/**
 * The start of a multipart stream upload that announces `length` bytes: request headers, the `uploadPath` field
 * and the opening of the `file` part. The caller sends (or drips) the file's bytes after it.
 */
export function uploadHead(apiKey: string, tag: string, length = 100_000): string {
  return [
    `POST /api/file-stream-upload?t=${tag} HTTP/1.1`,
    "Host: 127.0.0.1",
    `Authorization: Bearer ${apiKey}`,
    `Content-Type: multipart/form-data; boundary=${BOUNDARY}`,
    `Content-Length: ${length}`,
    "",
    `--${BOUNDARY}`,
    'Content-Disposition: form-data; name="uploadPath"',
    "",
    "slow",
    `--${BOUNDARY}`,
    'Content-Disposition: form-data; name="file"; filename="slow.bin"',
    "Content-Type: application/octet-stream",
    "",
    "",
  ].join("\r\n");
}
