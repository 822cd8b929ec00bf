/**
 * The SDK's file download against servers that close the connection (issue 9): without an injected fetch it uses
 * Node's own HTTP client, so a FIN while the body is held back cannot reach the assertion of the undici behind
 * Node 22's and 24's global fetch (nodejs/undici#5360). A cut body is an error and leaves no file.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HooklineClient, isHooklineApiError } from "../../src/client/index.js";
import { type TmpDir, tmpDir } from "../helpers/audio.js";
import { failOnUncaught } from "../helpers/crashes.js";
import { BODY, BODY_BYTES, type HostilePeer, startHostilePeer } from "../helpers/hostile-peer.js";

failOnUncaught();

describe("SDK files.download from servers that close the connection", () => {
  let peer: HostilePeer;
  let dir: TmpDir;
  const client = new HooklineClient({ baseUrl: "http://localhost", apiKey: "" });

  beforeAll(async () => {
    peer = await startHostilePeer();
    dir = await tmpDir("sdk-hostile");
  });
  afterAll(async () => {
    await peer.close();
    await dir.cleanup();
  });

  it.each([["fin-after-body"], ["close-delimited"]])("%s: the whole file, every time", async (behaviour) => {
    for (let i = 0; i < 8; i++) {
      const path = join(dir.path, `${behaviour}-${i}.bin`);
      const info = await client.files.download(peer.url(behaviour), path);
      expect(info).toMatchObject({ bytes: BODY_BYTES, contentType: "audio/mpeg" });
      expect((await readFile(path)).equals(BODY)).toBe(true);
    }
  });

  it.each([["short-length"], ["reset-mid-body"], ["reset-at-once"]])(
    "%s: a network error, no file left",
    async (behaviour) => {
      const path = join(dir.path, `${behaviour}.bin`);
      const err = await client.files.download(peer.url(behaviour), path).catch((e: unknown) => e);
      expect(isHooklineApiError(err) && err.kind).toBe("network");
      expect(existsSync(path)).toBe(false);
    },
  );

  it("a redirect is not followed: its status is the error", async () => {
    const err = await client.files
      .download(peer.url("loop"), join(dir.path, "loop.bin"))
      .catch((e: unknown) => e);
    expect(isHooklineApiError(err) && err.httpStatus).toBe(302);
  });
});
