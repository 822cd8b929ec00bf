/**
 * An upload by URL whose source never finishes: the download runs for the request's sake only, so it stops when
 * the client hangs up, and a graceful stop of the server closes such a request after its grace period instead of
 * waiting for the download's own timeout (here two minutes).
 */
import { createServer, type Server, type ServerResponse } from "node:http";
import { connect, type Socket } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startTestHookline, type TestHookline } from "../helpers/hookline.js";
import { waitFor } from "../helpers/wait.js";

/** A source that sends its headers and a first chunk, then holds every response open. */
async function startHoldingSource(): Promise<{ server: Server; url: string; open: Set<ServerResponse> }> {
  const open = new Set<ServerResponse>();
  const server = createServer((_req, res) => {
    open.add(res);
    res.once("close", () => open.delete(res));
    res.writeHead(200, { "content-type": "audio/mpeg", "content-length": String(1024 * 1024) });
    res.write(Buffer.alloc(16 * 1024));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return { server, url: `http://127.0.0.1:${port}/song.mp3`, open };
}

/** Sends a whole `file-url-upload` request on a raw connection that is then left open, unread. */
async function postAndHold(h: TestHookline, fileUrl: string): Promise<Socket> {
  const { hostname, port } = new URL(h.url);
  const body = JSON.stringify({ fileUrl, uploadPath: "held" });
  const socket = connect(Number(port), hostname);
  await new Promise<void>((resolve) => socket.once("connect", resolve));
  socket.write(
    `POST /api/file-url-upload HTTP/1.1\r\nhost: ${hostname}\r\nauthorization: Bearer ${h.apiKey}\r\n` +
      `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  socket.on("error", () => undefined);
  return socket;
}

describe("an upload whose source never finishes", () => {
  let h: TestHookline | null = null;
  let source: Awaited<ReturnType<typeof startHoldingSource>>;
  let client: Socket | null = null;

  beforeEach(async () => {
    source = await startHoldingSource();
    h = await startTestHookline({ env: { HOOKLINE_DOWNLOAD_TIMEOUT: "120" } });
  });

  afterEach(async () => {
    client?.destroy();
    await h?.stop();
    source.server.closeAllConnections();
    await new Promise((resolve) => source.server.close(resolve));
  });

  it("stops downloading when the client hangs up", async () => {
    const server = h!;
    client = await postAndHold(server, source.url);
    await waitFor("the source to be asked for the file", () => source.open.size === 1);
    client.destroy();
    await waitFor("the download to stop (the source's response closed)", () => source.open.size === 0, {
      timeoutMs: 10_000,
    });
  });

  it("does not hold a graceful stop past its grace period", async () => {
    const server = h!;
    h = null;
    client = await postAndHold(server, source.url);
    await waitFor("the source to be asked for the file", () => source.open.size === 1);
    // The helper stops with 2 s of grace; the download alone would hold the stop for two minutes.
    const stopped = server.stop().then(() => "stopped" as const);
    const held = new Promise<"held">((resolve) => {
      const timer = setTimeout(() => resolve("held"), 20_000);
      void stopped.finally(() => clearTimeout(timer));
    });
    expect(await Promise.race([stopped, held])).toBe("stopped");
    await waitFor("the download to stop", () => source.open.size === 0, { timeoutMs: 10_000 });
  });
});
