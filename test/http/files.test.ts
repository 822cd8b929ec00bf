/**
 * Signed downloads through the real server (spec 7.2, 7.3, 10, 13): GET/HEAD/Range, kie's download-url,
 * retention by the sweeper under a hand-held clock (410), tampered signatures (403), credits.
 */
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSweeper } from "../../src/app/index.js";
import { getFile } from "../../src/files/index.js";
import { ManualClock } from "../../src/lib/clock.js";
import { makeAudio, type TmpDir, tmpDir } from "../helpers/audio.js";
import { startTestHookline, type TestHookline } from "../helpers/hookline.js";
import { expectServing, streamUpload } from "./support.js";

const MINUTE = 60_000;
const DAY = 86_400_000;

describe("files, credits and download-url (kie dialect, manual clock)", () => {
  let h: TestHookline;
  let dir: TmpDir;
  let bytes: Buffer;
  let up: { downloadUrl: string; fileUrl: string; fileName: string; fileSize: number };
  const clock = new ManualClock(Date.parse("2026-03-01T12:00:00Z"));

  beforeAll(async () => {
    h = await startTestHookline({ clock, env: { HOOKLINE_CODE_DIALECT: "kie" } });
    dir = await tmpDir("files");
    const mp3 = await makeAudio(dir.path, { format: "mp3", seconds: 1 });
    bytes = await readFile(mp3);
    const env = await streamUpload(h, mp3, { fileName: "take one.mp3" });
    expect(env.success).toBe(true);
    up = env.data;
  });
  afterAll(async () => {
    await h.stop();
    await dir.cleanup();
  });

  it("credits on both paths: 999999999 when unlimited", async () => {
    for (const path of ["/api/v1/generate/credit", "/api/v1/chat/credit"]) {
      expect(await h.call(path)).toEqual({ code: 200, msg: "success", data: 999_999_999 });
    }
  });

  it("GET serves the bytes with type, length and a file name, without auth", async () => {
    const res = await fetch(up.downloadUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("audio/mpeg");
    expect(res.headers.get("content-length")).toBe(String(bytes.length));
    expect(res.headers.get("content-disposition")).toContain("take");
    expect(res.headers.get("accept-ranges")).toBe("bytes");
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
    expect(up.fileSize).toBe(bytes.length);
  });

  it("HEAD answers the headers only", async () => {
    const res = await fetch(up.downloadUrl, { method: "HEAD" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-length")).toBe(String(bytes.length));
    expect((await res.arrayBuffer()).byteLength).toBe(0);
  });

  it("Range answers 206 with the slice; past the end 416", async () => {
    const res = await fetch(up.downloadUrl, { headers: { range: "bytes=100-199" } });
    expect(res.status).toBe(206);
    expect(res.headers.get("content-range")).toBe(`bytes 100-199/${bytes.length}`);
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes.subarray(100, 200))).toBe(true);
    const tail = await fetch(up.downloadUrl, { headers: { range: "bytes=-10" } });
    expect(Buffer.from(await tail.arrayBuffer()).equals(bytes.subarray(-10))).toBe(true);
    const past = await fetch(up.downloadUrl, { headers: { range: `bytes=${bytes.length + 5}-` } });
    expect(past.status).toBe(416);
    await past.arrayBuffer();
  });

  it("a tampered signature or expiry answers 403, never the file", async () => {
    const u = new URL(up.downloadUrl);
    const sig = u.searchParams.get("signature")!;
    const forged = new URL(u);
    forged.searchParams.set("signature", `${sig[0] === "A" ? "B" : "A"}${sig.slice(1)}`);
    const later = new URL(u);
    later.searchParams.set("expires", String(Number(u.searchParams.get("expires")) + 3600));
    const none = new URL(u);
    none.search = "";
    for (const url of [forged, later, none]) {
      const res = await fetch(url);
      expect(res.status).toBe(403);
      expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
      await res.arrayBuffer();
    }
    await expectServing(h);
  });

  it("download-url: our URL gives a 20-minute link that downloads; it then expires (410)", async () => {
    const env = await h.call("/api/v1/common/download-url", { json: { url: up.fileUrl } });
    expect(env.code).toBe(200);
    expect(env.data).toBeTypeOf("string");
    const temp = env.data as string;
    expect(temp).not.toBe(up.fileUrl);
    const res = await fetch(temp);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
    clock.advance(21 * MINUTE);
    const gone = await fetch(temp);
    expect(gone.status).toBe(410);
    await gone.arrayBuffer();
    const still = await fetch(up.downloadUrl);
    expect(still.status).toBe(200);
    await still.arrayBuffer();
  });

  it("download-url: a foreign URL, a forged one or another key's is 422", async () => {
    const u = new URL(up.fileUrl);
    u.searchParams.set("signature", "x");
    const other = await h.newKey("other");
    for (const [url, key] of [
      ["https://example.com/files/abc/x.mp3?expires=1&signature=y", h.apiKey],
      ["not a url", h.apiKey],
      [u.toString(), h.apiKey],
      [up.fileUrl, other.apiKey],
    ] as const) {
      const env = await h.call("/api/v1/common/download-url", { json: { url }, key });
      expect(env.code, url).toBe(422);
    }
    await expectServing(h);
  });

  it("retention: after 3 days the sweeper removes the bytes and the URL answers 410", async () => {
    const fileId = new URL(up.downloadUrl).pathname.split("/")[2]!;
    const { store, blobs } = h.running.services;
    const before = await getFile(store.db, fileId);
    expect(Number(before!.expires_at) - Number(before!.created_at)).toBe(3 * DAY);
    clock.advance(3 * DAY);
    const sweeper = startSweeper(h.running.services);
    try {
      expect(await sweeper.runOnce()).toBeGreaterThanOrEqual(0);
    } finally {
      sweeper.stop();
    }
    const after = await getFile(store.db, fileId);
    expect(after!.expired_at).not.toBeNull();
    expect(await blobs.exists(after!.storage_key)).toBe(false);
    const res = await fetch(up.downloadUrl);
    expect(res.status).toBe(410);
    await res.arrayBuffer();
    const env = await h.call("/api/v1/common/download-url", { json: { url: up.fileUrl } });
    expect(env.code).not.toBe(200);
    await expectServing(h);
  });
});
