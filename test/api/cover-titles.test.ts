/**
 * The title a cover is drawn for, end to end through the real server (issue 13): uploads probed for their own
 * tags (ID3 in an MP3, Vorbis comments in an Ogg), else named by the client's `fileName`, else "Untitled" for an
 * upload nothing names. The title is read where the server hands it on: the prompt sent to a real local image
 * service (one per style), and the track's music record.
 */
import { readFile } from "node:fs/promises";
import { Resvg } from "@resvg/resvg-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run, type TmpDir, tmpDir } from "../helpers/audio.js";
import { startTestHookline, type TestHookline } from "../helpers/hookline.js";
import { type Receiver, startReceiver } from "../helpers/receiver.js";
import { streamUpload } from "../http/support.js";
import { settledCover } from "./cover-support.js";

const PNG = new Resvg(
  `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="64" height="64" fill="#345"/></svg>`,
)
  .render()
  .asPng();

describe("cover titles", () => {
  let service: Receiver;
  let h: TestHookline;
  let dir: TmpDir;

  beforeAll(async () => {
    dir = await tmpDir("cover-titles");
    service = await startReceiver((_req, res) => {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ data: [{ b64_json: PNG.toString("base64") }] }));
    });
    h = await startTestHookline({
      env: {
        HOOKLINE_COVER_SIZE: "64",
        HOOKLINE_COVER_PROVIDER_URL: service.origin,
        HOOKLINE_COVER_PROVIDER_KEY: "sk-test",
      },
    });
  });
  afterAll(async () => {
    await h.stop();
    await service.close();
    await dir.cleanup();
  });

  /** Three seconds of a pulsing chord, with these tags. */
  async function song(name: string, tags: Record<string, string> = {}): Promise<string> {
    const path = `${dir.path}/${name}`;
    const codec = name.endsWith(".ogg") ? ["-c:a", "libvorbis"] : [];
    await run("ffmpeg", [
      ...["-nostdin", "-v", "error", "-f", "lavfi", "-i", "sine=f=220:d=3,tremolo=f=2:d=0.9"],
      ...codec,
      ...Object.entries(tags).flatMap(([k, v]) => ["-metadata", `${k}=${v}`]),
      ...["-y", path],
    ]);
    return path;
  }

  /** The prompts the image service got for a cover of this upload, and the track's music record title. */
  async function titled(up: { code: number; data: { taskId: string } }) {
    expect(up.code, JSON.stringify(up)).toBe(200);
    const record = await h.call(`/api/v1/generate/record-info?taskId=${up.data.taskId}`);
    const before = service.requests.length;
    const gen = await h.call("/api/v1/suno/cover/generate", { json: { taskId: up.data.taskId } });
    expect(gen.code).toBe(200);
    expect((await settledCover(h, gen.data.taskId)).data.status).toBe("SUCCESS");
    const prompts = service.requests.slice(before).map((r) => String(JSON.parse(r.body).prompt));
    expect(prompts).toHaveLength(2);
    return { prompts, recordTitle: record.data.response.sunoData[0].title as string };
  }

  it("an MP3's ID3 title and artist win over its file name", async () => {
    const path = await song("song.mp3", { title: "Night Drive", artist: "The Overpass" });
    const { prompts, recordTitle } = await titled(
      await streamUpload(h, path, { fileName: "upload_name.mp3" }),
    );
    for (const p of prompts) expect(p).toContain('the track "Night Drive" by "The Overpass":');
    expect(recordTitle).toBe("Night Drive");
  });

  it("an Ogg's Vorbis comments (upper-case keys) name it too", async () => {
    const path = await song("song.ogg", { TITLE: "Blue Hour", ARTIST: "Lo Tide" });
    const { prompts } = await titled(await streamUpload(h, path));
    for (const p of prompts) expect(p).toContain('"Blue Hour" by "Lo Tide"');
  });

  it("without tags, the client's fileName (cleaned) wins over the multipart part's name", async () => {
    const path = await song("song.mp3");
    const { prompts, recordTitle } = await titled(
      await streamUpload(h, path, { fileName: "summer_static-v2.mp3" }),
    );
    for (const p of prompts) expect(p).toContain('the track "summer static v2":');
    expect(recordTitle).toBe("summer static v2");
  });

  it("nothing names it (base64, no fileName, no tags): Untitled, not the random stored name", async () => {
    const path = await song("plain.mp3");
    const up = await h.call("/api/file-base64-upload", {
      json: { base64Data: (await readFile(path)).toString("base64"), uploadPath: "music" },
    });
    const { prompts, recordTitle } = await titled(up);
    for (const p of prompts) expect(p).toContain('the track "Untitled":');
    expect(recordTitle).toBe("");
  });

  it("a hostile tag (10,000 characters, control characters) is cut and cleaned before anything shows it", async () => {
    const path = await song("hostile.mp3", {
      title: `Evil\u0007\u001b[31m${"z".repeat(10_000)}`,
      artist: "x\ny",
    });
    const { prompts, recordTitle } = await titled(await streamUpload(h, path));
    expect(Array.from(recordTitle).length).toBeLessThanOrEqual(200);
    expect(recordTitle.startsWith("Evil [31mzzz")).toBe(true);
    for (const p of prompts) {
      expect(/\p{Cc}/u.test(p)).toBe(false);
      expect(p.length).toBeLessThan(1_000);
      expect(p).toContain('by "x y"');
    }
  });
});
