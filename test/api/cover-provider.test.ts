/**
 * The optional image service, against a real local HTTP server that speaks `POST /v1/images/generations` and
 * answers real PNGs (rendered with resvg here): images as base64 or by URL, and the failures mapped to the cover
 * codes — no answer in time 408, an error status, a refused connection or an answer without an image 501.
 */
import { Resvg } from "@resvg/resvg-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TmpDir, tmpDir } from "../helpers/audio.js";
import { type Envelope, startTestHookline, type TestHookline } from "../helpers/hookline.js";
import { decodePng } from "../helpers/png.js";
import { closedPort, type Receiver, startReceiver } from "../helpers/receiver.js";
import { makeSong } from "../helpers/songs.js";
import { expectServing, uploadTrack } from "../http/support.js";
import { settledCover } from "./cover-support.js";

const SIZE = 256;

/** A real PNG of `size` px: a gradient and a disc whose hue is given, so the two styles' images differ. */
function png(size: number, hue: number): Buffer {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}"><defs><linearGradient id="g"><stop offset="0" stop-color="hsl(${hue},70%,30%)"/><stop offset="1" stop-color="hsl(${hue + 60},70%,60%)"/></linearGradient></defs><rect width="${size}" height="${size}" fill="url(#g)"/><circle cx="${size / 2}" cy="${size / 2}" r="${size / 4}" fill="hsl(${hue + 180},80%,70%)"/></svg>`;
  return new Resvg(svg).render().asPng();
}

describe("covers from an image service", () => {
  let service: Receiver;
  let h: TestHookline;
  let dir: TmpDir;
  const served = new Map<string, Buffer>();

  beforeAll(async () => {
    dir = await tmpDir("cover-provider");
    service = await startReceiver((req, res, body) => {
      if (req.method === "GET" && served.has(req.url ?? "")) {
        res.setHeader("content-type", "image/png");
        res.end(served.get(req.url ?? ""));
        return;
      }
      const json = JSON.parse(body) as { prompt: string; size: string };
      const size = Number(json.size.split("x")[0]);
      const image = png(size, json.prompt.includes("typographic") ? 20 : 200);
      const reply = (status: number, payload: unknown) => {
        res.statusCode = status;
        res.setHeader("content-type", "application/json");
        res.end(typeof payload === "string" ? payload : JSON.stringify(payload));
      };
      if (json.prompt.includes("case url")) {
        const path = `/files/${served.size}.png`;
        served.set(path, image);
        reply(200, { created: 1, data: [{ url: `${service.origin}${path}` }] });
      } else if (json.prompt.includes("case slow")) {
        const late = setTimeout(() => reply(200, { data: [{ b64_json: image.toString("base64") }] }), 3_000);
        // Hookline gives up after 1 s and hangs up: the late answer is never sent.
        res.once("close", () => clearTimeout(late));
      } else if (json.prompt.includes("case error")) {
        reply(500, { error: { message: "the model is overloaded" } });
      } else if (json.prompt.includes("case garbage")) {
        reply(200, "<html>not json</html>");
      } else if (json.prompt.includes("case notimage")) {
        reply(200, { data: [{ b64_json: Buffer.from("definitely not an image").toString("base64") }] });
      } else {
        reply(200, { created: 1, data: [{ b64_json: image.toString("base64") }] });
      }
    });
    h = await startTestHookline({
      env: {
        HOOKLINE_COVER_SIZE: String(SIZE),
        HOOKLINE_COVER_PROVIDER_URL: service.origin,
        HOOKLINE_COVER_PROVIDER_KEY: "sk-test-123",
        HOOKLINE_COVER_PROVIDER_MODEL: "test-model",
        HOOKLINE_COVER_PROVIDER_TIMEOUT: "1",
      },
    });
  });
  afterAll(async () => {
    await h.stop();
    await service.close();
    await dir.cleanup();
  });

  async function cover(name: string): Promise<Envelope> {
    const song = await makeSong(dir.path, { name: `${name}.mp3`, seconds: 3, bpm: 120, chord: [62, 65, 69] });
    const track = await uploadTrack(h, song);
    const gen = await h.call("/api/v1/suno/cover/generate", { json: { taskId: track.taskId } });
    expect(gen.code).toBe(200);
    return settledCover(h, gen.data.taskId);
  }

  it("stores the service's PNGs (base64), one request per style with the documented body and key", async () => {
    const before = service.requests.length;
    const rec = await cover("case-b64");
    expect(rec.data).toMatchObject({ status: "SUCCESS", successFlag: 1, errorCode: 200 });
    const requests = service.requests.slice(before);
    expect(requests).toHaveLength(2);
    for (const r of requests) {
      expect(r.url).toBe("/v1/images/generations");
      expect(r.headers.authorization).toBe("Bearer sk-test-123");
      const body = JSON.parse(r.body);
      expect(body).toMatchObject({
        model: "test-model",
        n: 1,
        size: `${SIZE}x${SIZE}`,
        response_format: "b64_json",
      });
      expect(body.prompt).toContain('"case b64"');
      expect(body.prompt).toMatch(/BPM/);
    }
    const images = await Promise.all(
      (rec.data.response.images as string[]).map(async (u) =>
        Buffer.from(await (await fetch(u)).arrayBuffer()),
      ),
    );
    expect(images[0]!.equals(png(SIZE, 200))).toBe(true);
    expect(images[1]!.equals(png(SIZE, 20))).toBe(true);
  });

  it("downloads images the service answers by URL", async () => {
    const rec = await cover("case-url");
    expect(rec.data.status).toBe("SUCCESS");
    for (const u of rec.data.response.images as string[]) {
      expect(decodePng(Buffer.from(await (await fetch(u)).arrayBuffer()))).toMatchObject({
        width: SIZE,
        height: SIZE,
      });
    }
  });

  it("maps a service that does not answer in time to 408", async () => {
    const rec = await cover("case-slow");
    expect(rec.data).toMatchObject({
      status: "GENERATE_COVER_FAILED",
      successFlag: 3,
      errorCode: 408,
      response: null,
    });
    expect(rec.data.errorMessage).toMatch(/no answer within 1000 ms/);
  });

  it("maps an error status, a non-JSON answer and an answer that is not an image to 501", async () => {
    for (const [name, why] of [
      ["case-error", /HTTP 500.*overloaded/],
      ["case-garbage", /not JSON/],
      ["case-notimage", /not a PNG, JPEG or WebP/],
    ] as const) {
      const rec = await cover(name);
      expect(rec.data, name).toMatchObject({
        status: "GENERATE_COVER_FAILED",
        errorCode: 501,
        response: null,
      });
      expect(rec.data.errorMessage).toMatch(why);
    }
    await expectServing(h);
  });

  it("maps a refused connection to 501", async () => {
    const other = await startTestHookline({
      env: { HOOKLINE_COVER_PROVIDER_URL: `http://127.0.0.1:${await closedPort()}/v1` },
    });
    try {
      const song = await makeSong(dir.path, {
        name: "refused.mp3",
        seconds: 2,
        bpm: 100,
        chord: [60, 64, 67],
      });
      const track = await uploadTrack(other, song);
      const gen = await other.call("/api/v1/suno/cover/generate", { json: { taskId: track.taskId } });
      const rec = await settledCover(other, gen.data.taskId);
      expect(rec.data).toMatchObject({ status: "GENERATE_COVER_FAILED", errorCode: 501 });
      expect(rec.data.errorMessage).toMatch(/connect/i);
    } finally {
      await other.stop();
    }
  });
});
