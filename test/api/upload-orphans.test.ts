/**
 * Refused uploads remove what they wrote (issue 9, finding 5): whatever refuses the request after its bytes were
 * stored (a second file part, too many fields, a bad `fileName` or `uploadPath`, non-audio on the tracks route),
 * the data folder's blob tree holds no blob that no file row references, and the temp area is empty.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeRandomBytes, type TmpDir, tmpDir } from "../helpers/audio.js";
import { filesUnder, strayBlobs } from "../helpers/blobs.js";
import { startTestHookline, type TestHookline } from "../helpers/hookline.js";
import { type Receiver, startReceiver } from "../helpers/receiver.js";
import { expectServing } from "../http/support.js";

describe("refused uploads leave no bytes behind", () => {
  let h: TestHookline;
  let dir: TmpDir;
  let source: Receiver;
  let noise: Buffer;

  beforeAll(async () => {
    // A 50 KB cap: a file over it tells whether a request stored it (413) or refused it before (400).
    h = await startTestHookline({ env: { HOOKLINE_MAX_UPLOAD_MB: "0.05" } });
    dir = await tmpDir("orphans");
    noise = await readFile(await makeRandomBytes(dir.path, 20_000, "noise.bin"));
    source = await startReceiver((_req, res) => {
      res.setHeader("content-type", "application/octet-stream");
      res.end(noise);
    });
  });
  afterAll(async () => {
    await source.close();
    await h.stop();
    await dir.cleanup();
  });

  const strays = () => strayBlobs(h.dataDir, h.running.services.store);

  /**
   * Sends a request that must be refused; then the server still serves, and nothing the request wrote is left on
   * disk (compared with what was there before, so that one failing case does not fail the next ones).
   */
  async function expectRefusedAndClean(send: () => Promise<Response>, what: string): Promise<void> {
    const before = new Set(await strays());
    const env = (await (await send()).json()) as { code: number; success?: boolean };
    expect(env.code, `${what}: ${JSON.stringify(env)}`).not.toBe(200);
    expect(env.success, `${what}: ${JSON.stringify(env)}`).not.toBe(true);
    expect(
      (await strays()).filter((k) => !before.has(k)),
      what,
    ).toEqual([]);
    expect(await filesUnder(join(h.dataDir, "files", "tmp")), what).toEqual([]);
    await expectServing(h);
  }

  const multipart = (form: FormData) => h.api("/api/file-stream-upload", { method: "POST", body: form });
  const blob = () => new Blob([noise]);

  it("two file parts in one multipart request", async () => {
    const form = new FormData();
    form.append("uploadPath", "twice");
    form.append("file", blob(), "a.bin");
    form.append("file", blob(), "b.bin");
    await expectRefusedAndClean(() => multipart(form), "two files");
  });

  it("a file part followed by more fields than the limit", async () => {
    const form = new FormData();
    form.append("uploadPath", "many");
    form.append("file", blob(), "a.bin");
    for (let i = 0; i < 20; i++) form.append(`f${i}`, "x");
    await expectRefusedAndClean(() => multipart(form), "too many fields");
  });

  it("a bad fileName or uploadPath after the file part", async () => {
    for (const [name, value] of [
      ["fileName", "../up.bin"],
      ["uploadPath", "/lead"],
    ] as const) {
      const form = new FormData();
      if (name === "fileName") form.append("uploadPath", "late");
      form.append("file", blob(), "a.bin");
      form.append(name, value);
      await expectRefusedAndClean(() => multipart(form), `late ${name}`);
    }
  });

  it("a bad name before the file part is refused without storing the file", async () => {
    const big = new Blob([Buffer.concat([noise, noise, noise])]);
    for (const [name, value] of [
      ["fileName", "a/b.bin"],
      ["uploadPath", "a/../b"],
    ] as const) {
      const form = new FormData();
      if (name === "fileName") form.append("uploadPath", "early");
      form.append(name, value);
      form.append("file", big, "a.bin");
      const send = () => multipart(form);
      await expectRefusedAndClean(send, `early ${name}`);
      // Over the cap, yet refused for its name: it was never written.
      expect(((await (await send()).json()) as { code: number }).code).toBe(400);
    }
  });

  it("a base64 upload with a refused fileName", async () => {
    for (const fileName of ["a/b.bin", "..", "x\u0001y"]) {
      const res = () =>
        h.api("/api/file-base64-upload", {
          json: { base64Data: noise.toString("base64"), uploadPath: "b64", fileName },
        });
      await expectRefusedAndClean(res, `base64 fileName ${JSON.stringify(fileName)}`);
    }
  });

  it("a URL upload with a refused fileName fetches nothing", async () => {
    const before = source.requests.length;
    const res = () =>
      h.api("/api/file-url-upload", {
        json: { fileUrl: `${source.origin}/noise.bin`, uploadPath: "url", fileName: "../x.bin" },
      });
    await expectRefusedAndClean(res, "URL fileName");
    expect(source.requests.length).toBe(before);
  });

  it("a track registered by URL that is not audio", async () => {
    const res = () => h.api("/api/v1/hookline/tracks", { json: { fileUrl: `${source.origin}/noise.bin` } });
    await expectRefusedAndClean(res, "tracks by URL, not audio");
  });

  it("accepted uploads keep their bytes", async () => {
    const before = new Set(await strays());
    const form = new FormData();
    form.append("uploadPath", "kept");
    form.append("file", blob(), "a.bin");
    const stream = (await (await multipart(form)).json()) as { success: boolean };
    expect(stream.success).toBe(true);
    const b64 = await h.call("/api/file-base64-upload", {
      json: { base64Data: noise.toString("base64"), uploadPath: "kept", fileName: "b.bin" },
    });
    expect(b64.success).toBe(true);
    expect((await strays()).filter((k) => !before.has(k))).toEqual([]);
    const { store, blobs } = h.running.services;
    const rows = await store.db
      .selectFrom("files")
      .select("storage_key")
      .where("path", "like", "kept/%")
      .execute();
    expect(rows).toHaveLength(2);
    for (const r of rows) expect(await blobs.exists(r.storage_key)).toBe(true);
  });
});
