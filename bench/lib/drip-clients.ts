import { connect, type Socket } from "node:net";
import { monoMs } from "./stats.js";

/** One slow client: what it drips, when it opened, when it was closed (null while open) and whether by itself. */
export interface DripClient {
  readonly kind: "headers" | "body";
  readonly socket: Socket;
  readonly openedAt: number;
  closedAt: number | null;
  /** The client gave up by itself (the benchmark closed it), rather than being closed by the server. */
  left: boolean;
}

const BOUNDARY = "hooklinebenchdrip";

/** Request headers left open (a header value that never ends). */
export const headersStart = (): string =>
  "GET /api/v1/generate/credit HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Drip: ";

/** A multipart stream upload announcing 1 MB, headers and the file part's opening sent; the bytes follow. */
export function bodyStart(apiKey: string): string {
  return [
    "POST /api/file-stream-upload HTTP/1.1",
    "Host: 127.0.0.1",
    `Authorization: Bearer ${apiKey}`,
    `Content-Type: multipart/form-data; boundary=${BOUNDARY}`,
    `Content-Length: ${1024 * 1024}`,
    "",
    `--${BOUNDARY}`,
    'Content-Disposition: form-data; name="uploadPath"',
    "",
    "drip",
    `--${BOUNDARY}`,
    'Content-Disposition: form-data; name="file"; filename="drip.bin"',
    "Content-Type: application/octet-stream",
    "",
    "",
  ].join("\r\n");
}

/**
 * Opens a client that sends `start` and then one byte every `everyMs` (first one at a random offset, so that
 * a thousand clients do not write in the same tick), until the server closes the connection.
 */
export function openDripClient(
  url: string,
  kind: DripClient["kind"],
  start: string,
  everyMs: number,
): Promise<DripClient> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    socket.once("error", reject);
    socket.once("connect", () => {
      socket.off("error", reject);
      socket.on("error", () => {}); // a reset by the server is the expected end
      socket.resume(); // read (and drop) what the server sends, or its FIN would go unnoticed
      const client: DripClient = { kind, socket, openedAt: monoMs(), closedAt: null, left: false };
      let timer: NodeJS.Timeout | null = null;
      const first = setTimeout(() => {
        timer = setInterval(() => socket.destroyed || socket.write("a"), everyMs);
      }, Math.random() * everyMs);
      socket.once("close", () => {
        clearTimeout(first);
        if (timer) clearInterval(timer);
        client.closedAt = monoMs();
      });
      socket.write(start);
      resolve(client);
    });
  });
}

/** Closes the client from its side, as a user who gives up does. */
export function leave(client: DripClient): void {
  client.left = true;
  client.socket.destroy();
}
