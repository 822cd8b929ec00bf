/**
 * Size caps and the outbound guard at submit (spec 7.1, 12.4, 13), on a server NOT in dev mode: oversized
 * uploads answer 413 (sunoapi) / 422 (kie) with success:false; private callback and source URLs are refused,
 * also when a redirect leads there. The server keeps serving after each.
 */
import { readFile } from "node:fs/promises";
import { Agent, FormData, fetch as undiciFetch } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeAudio, type TmpDir, tmpDir } from "../helpers/audio.js";
import { startTestHookline, type TestHookline } from "../helpers/hookline.js";
import { type Receiver, startReceiver } from "../helpers/receiver.js";
import { expectServing, streamUpload, uploadTrack } from "../http/support.js";

const LIMIT = 0.05 * 1024 * 1024;

describe.each([
  { dialect: "sunoapi", invalid: 400, tooLarge: 413 },
  { dialect: "kie", invalid: 422, tooLarge: 422 },
] as const)("limits and guard, $dialect dialect, dev off", ({ dialect, invalid, tooLarge }) => {
  let h: TestHookline;
  let dir: TmpDir;
  let source: Receiver;
  let small: string;
  let big: string;
  let bigBytes: Buffer;
  let local: string;

  beforeAll(async () => {
    h = await startTestHookline({
      env: {
        HOOKLINE_DEV: "0",
        HOOKLINE_CODE_DIALECT: dialect,
        HOOKLINE_MAX_UPLOAD_MB: "0.05",
        HOOKLINE_MAX_BASE64_MB: "0.05",
        HOOKLINE_ALLOW_HOSTS: "localhost",
      },
    });
    dir = await tmpDir("guard");
    small = await makeAudio(dir.path, { format: "mp3", seconds: 1 });
    big = await makeAudio(dir.path, { format: "mp3", seconds: 6 });
    bigBytes = await readFile(big);
    expect(bigBytes.length).toBeGreaterThan(LIMIT);
    source = await startReceiver((req, res) => {
      if (req.url === "/r") {
        res.writeHead(302, { location: `http://127.0.0.1:${source.port}/f` }).end();
      } else if (req.url === "/chunked") {
        res.setHeader("content-type", "audio/mpeg");
        res.write(bigBytes.subarray(0, 30_000));
        setTimeout(() => res.end(bigBytes.subarray(30_000)), 10);
      } else {
        res.setHeader("content-type", "audio/mpeg");
        res.end(bigBytes);
      }
    });
    // localhost is let through by HOOKLINE_ALLOW_HOSTS; 127.0.0.1 itself is not.
    local = `http://localhost:${source.port}`;
  });
  afterAll(async () => {
    await source.close();
    await h.stop();
    await dir.cleanup();
  });

  it(`an oversized stream upload: ${tooLarge}, success:false`, async () => {
    const env = await streamUpload(h, big);
    expect(env).toMatchObject({ success: false, code: tooLarge });
    expect((await streamUpload(h, small)).success).toBe(true);
    await expectServing(h);
  });

  it("a refused stream upload leaves its connection usable: a kept-alive client's next request is answered", async () => {
    // The server stops reading a refused body halfway: on a kept-alive connection its unread rest would stall the
    // client's next request (seen with fetch under load: the request after a 413 never got an answer).
    const agent = new Agent({ connections: 1, pipelining: 1 });
    try {
      const form = new FormData();
      form.set("uploadPath", "music");
      // Ten times the cap, and small enough for the socket buffers to take all of it before the refusal: the
      // client then reuses the connection (a client still sending when the answer comes drops it instead).
      form.set("file", new Blob([Buffer.alloc(512 * 1024, 7)]), "big.mp3");
      const res = await undiciFetch(`${h.url}/api/file-stream-upload`, {
        method: "POST",
        body: form,
        headers: { authorization: `Bearer ${h.apiKey}` },
        dispatcher: agent,
      });
      expect(await res.json()).toMatchObject({ success: false, code: tooLarge });
      const next = await undiciFetch(`${h.url}/healthz`, {
        dispatcher: agent,
        signal: AbortSignal.timeout(10_000),
      });
      expect(next.status).toBe(200);
      await next.arrayBuffer();
    } finally {
      await agent.close();
    }
  });

  it(`an oversized URL upload, declared or streamed: ${tooLarge}`, async () => {
    for (const path of ["/big.mp3", "/chunked"]) {
      const env = await h.call("/api/file-url-upload", {
        json: { fileUrl: `${local}${path}`, uploadPath: "u" },
      });
      expect(env, path).toMatchObject({ success: false, code: tooLarge });
    }
    await expectServing(h);
  });

  it(`an oversized base64 upload: ${tooLarge}`, async () => {
    const over = bigBytes.subarray(0, LIMIT + 1000).toString("base64");
    const env = await h.call("/api/file-base64-upload", { json: { base64Data: over, uploadPath: "b" } });
    expect(env).toMatchObject({ success: false, code: tooLarge });
    const huge = bigBytes.toString("base64").repeat(2);
    const env2 = await h.call("/api/file-base64-upload", { json: { base64Data: huge, uploadPath: "b" } });
    expect(env2).toMatchObject({ success: false, code: tooLarge });
    const fits = await h.call("/api/file-base64-upload", {
      json: { base64Data: (await readFile(small)).toString("base64"), uploadPath: "b" },
    });
    expect(fits.success).toBe(true);
    await expectServing(h);
  });

  it(`private callback URLs are refused at submit: ${invalid}`, async () => {
    const { audioId } = await uploadTrack(h, small);
    for (const target of [
      "http://127.0.0.1:9/cb",
      "http://10.0.0.1/cb",
      "http://169.254.169.254/latest/meta-data",
      "http://[::1]:9/cb",
      "ftp://example.com/cb",
    ]) {
      const env = await h.call("/api/v1/wav/generate", { json: { audioId, callBackUrl: target } });
      expect(env.code, target).toBe(invalid);
      expect(env.msg).toMatch(/refused/);
    }
    const list = await h.call("/api/v1/hookline/tasks?family=wav");
    expect(list.data.tasks).toEqual([]);
    await expectServing(h);
  });

  it(`a private source URL, directly or by redirect, is refused: ${invalid}`, async () => {
    const before = source.requests.length;
    const direct = await h.call("/api/file-url-upload", {
      json: { fileUrl: `http://127.0.0.1:${source.port}/f`, uploadPath: "u" },
    });
    expect(direct).toMatchObject({ success: false, code: invalid });
    expect(source.requests.length).toBe(before);
    const redirected = await h.call("/api/file-url-upload", {
      json: { fileUrl: `${local}/r`, uploadPath: "u" },
    });
    expect(redirected).toMatchObject({ success: false, code: invalid });
    expect(redirected.msg).toMatch(/refused/);
    // The first hop was fetched; the private second hop never was.
    expect(source.requests.slice(before).map((r) => r.url)).toEqual(["/r"]);
    const track = await h.call("/api/v1/hookline/tracks", { json: { fileUrl: `${local}/r` } });
    expect(track.code).toBe(invalid);
    await expectServing(h);
  });
});
