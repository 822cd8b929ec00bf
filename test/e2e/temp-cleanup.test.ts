/**
 * Partial outputs of dead processes (issue 9, finding 9): two real `hookline serve` processes share a data folder,
 * each downloading an upload from a source that sends part of the body and then holds. One is `kill -9`ed
 * mid-download; the next start-up of a server on that folder removes the dead one's temp folder with its partial
 * file, and leaves the live one's untouched.
 */
import { join } from "node:path";
import { fetch as undiciFetch } from "undici";
import { afterAll, describe, expect, it } from "vitest";
import { type TmpDir, tmpDir } from "../helpers/audio.js";
import { filesUnder } from "../helpers/blobs.js";
import {
  createKeyWithCli,
  type HooklineProcess,
  killAllChildren,
  startHooklineProcess,
} from "../helpers/process.js";
import { type Receiver, startReceiver } from "../helpers/receiver.js";
import { waitFor } from "./support.js";

describe("temp files of a process killed mid-download", () => {
  let dir: TmpDir | null = null;
  let source: Receiver | null = null;
  const uploads = new AbortController();

  afterAll(async () => {
    uploads.abort();
    await killAllChildren();
    await source?.close();
    await dir?.cleanup();
  });

  it("are gone after the next start-up; a live process's are untouched", { timeout: 90_000 }, async () => {
    dir = await tmpDir("e2e-temp");
    // Sends 64 KB of a 1 MB body, then nothing: the download stays in its temp file.
    source = await startReceiver((_req, res) => {
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(1 << 20) });
      res.write(Buffer.alloc(64 * 1024, 7));
    });
    const dataDir = join(dir.path, "data");
    const tmp = join(dataDir, "files", "tmp");
    const base = { HOOKLINE_DATA_DIR: dataDir, HOOKLINE_DEV: "1", HOOKLINE_LOG_LEVEL: "warn" };
    const serve = async () => startHooklineProcess({ env: base });
    const doomed = await serve();
    const survivor = await serve();
    const key = await createKeyWithCli(base);

    /** Starts an upload from the holding source and waits for its partial file in the server's temp folder. */
    async function partialOf(server: HooklineProcess): Promise<string> {
      // undici's own fetch: aborted, it closes the connection at once, and the server's graceful stop waits for
      // that. With Node 20's bundled fetch the survivor's stop below hung (the suite passed only while something
      // else had installed undici's dispatcher as the global one).
      void undiciFetch(`${server.url}/api/file-url-upload`, {
        method: "POST",
        headers: { authorization: `Bearer ${key.apiKey}`, "content-type": "application/json" },
        body: JSON.stringify({ fileUrl: `${source!.origin}/slow.bin`, uploadPath: "slow" }),
        signal: uploads.signal,
      }).catch(() => undefined);
      return waitFor(
        `a partial download in the temp folder of pid ${server.pid}`,
        async () => (await filesUnder(tmp)).find((p) => p.startsWith(`${server.pid}-`)),
        20_000,
      );
    }
    const dead = await partialOf(doomed);
    const alive = await partialOf(survivor);
    expect(dead.split(/[\\/]/)).toHaveLength(2); // <pid>-<random>@<place>/<file>

    expect((await doomed.stop("SIGKILL")).signal).toBe("SIGKILL");
    expect(await filesUnder(tmp)).toContain(dead); // still there: nobody has looked yet

    // Ready means the start-up sweep has run.
    const next = await serve();
    const left = await filesUnder(tmp);
    expect(left).not.toContain(dead);
    expect(left.some((p) => p.startsWith(`${doomed.pid}-`))).toBe(false);
    expect(left).toContain(alive);
    expect((await filesUnder(tmp)).filter((p) => p.startsWith(`${survivor.pid}-`))).toEqual([alive]);

    // Cutting the source ends the held download, so the survivor can stop gracefully.
    uploads.abort();
    await source.close();
    source = null;
    expect((await survivor.stop()).code).toBe(0);
    expect((await next.stop()).code).toBe(0);
  });
});
