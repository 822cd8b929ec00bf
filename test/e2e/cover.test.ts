/**
 * End to end: the real `hookline serve --dev` as a child process, keys made by the real CLI, two different
 * generated tracks uploaded, covers generated, callbacks received by a real receiver and both signatures checked by
 * independent code, every PNG downloaded and decoded by an independent decoder.
 *
 * The perceptual-hash threshold: the DCT pHash of a re-encoded or slightly altered copy of an image lies 0–10 bits
 * (of 64) from the original's; unrelated images lie around 32. Covers count as different pictures when they are more
 * than 16 bits apart: clear of the near-duplicate band, and half way to unrelated. Measured when this test was
 * written: the two styles of one track 24 and 34 bits apart, one style on the two tracks 22 and 36.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TmpDir, tmpDir } from "../helpers/audio.js";
import { decodePng, hammingDistance, lumaSpread, perceptualHash } from "../helpers/png.js";
import { type CliKey, createKeyWithCli, killAllChildren, startHooklineProcess } from "../helpers/process.js";
import { type Receiver, startReceiver } from "../helpers/receiver.js";
import { makeSong } from "../helpers/songs.js";
import { type Client, client, uploadTrack, verifyReseller, verifyStandard, waitFor } from "./support.js";

const SIZE = 640;
/** Bits of 64 that two covers must differ by to count as different pictures (see the file comment). */
const DIFFERENT = 16;

describe("e2e: covers for two tracks, delivered signed, downloaded and compared", () => {
  let dir: TmpDir;
  let receiver: Receiver;
  let key: CliKey;
  let second: CliKey;
  let api: Client;
  let api2: Client;
  const songs: string[] = [];
  const covers: Buffer[][] = [];

  beforeAll(async () => {
    dir = await tmpDir("e2e-cover");
    receiver = await startReceiver((_req, res) => res.end("ok"));
    const env = {
      HOOKLINE_DATA_DIR: `${dir.path}/data`,
      HOOKLINE_LOG_LEVEL: "warn",
      HOOKLINE_CONCURRENCY: "2",
      HOOKLINE_COVER_SIZE: String(SIZE),
    };
    songs.push(
      await makeSong(dir.path, {
        name: "Slow Tide.mp3",
        seconds: 12,
        bpm: 72,
        chord: [45, 48, 52],
        hats: 0.05,
        fadeInS: 8,
      }),
      await makeSong(dir.path, {
        name: "Neon Run.flac",
        seconds: 12,
        bpm: 150,
        chord: [66, 70, 73],
        hats: 0.8,
      }),
    );
    const server = await startHooklineProcess({ env, args: ["--dev"] });
    key = await createKeyWithCli(env, "e2e-cover");
    second = await createKeyWithCli(env, "e2e-cover-2");
    api = client(server.url, key.apiKey);
    api2 = client(server.url, second.apiKey);
  });

  afterAll(async () => {
    await killAllChildren();
    await receiver?.close();
    await dir?.cleanup();
  });

  it("generates covers for both tracks and calls back, signed in both schemes", async () => {
    const ids: string[] = [];
    for (const [i, song] of songs.entries()) {
      const track = await uploadTrack(api, song);
      const gen = await api.call("/api/v1/suno/cover/generate", {
        json: { taskId: track.taskId, callBackUrl: `${receiver.origin}/cover/${i}` },
      });
      expect(gen.code, JSON.stringify(gen)).toBe(200);
      ids.push(gen.data.taskId);
      const repeat = await api.call("/api/v1/suno/cover/generate", { json: { taskId: track.taskId } });
      expect(repeat).toMatchObject({ code: 400, data: { taskId: gen.data.taskId } });
    }
    await waitFor("both callbacks", () => (receiver.requests.length >= 2 ? true : undefined), 60_000);
    for (const [i, id] of ids.entries()) {
      const req = receiver.requests.find((r) => r.url === `/cover/${i}`)!;
      const body = JSON.parse(req.body);
      expect(body).toMatchObject({
        code: 200,
        msg: "success",
        taskId: id,
        data: { taskId: id, task_id: id },
      });
      expect(() => verifyStandard(key.webhookHmacKey, req.body, req.headers)).not.toThrow();
      expect(verifyReseller(key.webhookHmacKey, id, req.headers)).toBe(true);
      const images: Buffer[] = [];
      for (const url of body.data.images as string[]) {
        const res = await fetch(url, { signal: AbortSignal.timeout(30_000) });
        expect(res.status).toBe(200);
        images.push(Buffer.from(await res.arrayBuffer()));
      }
      covers.push(images);
      const rec = await api.call(`/api/v1/suno/cover/record-info?taskId=${id}`);
      expect(rec.data).toMatchObject({
        status: "SUCCESS",
        successFlag: 1,
        response: { images: body.data.images },
      });
    }
  });

  it("every cover is a valid PNG of the configured size and not blank", () => {
    for (const png of covers.flat()) {
      const img = decodePng(png);
      expect(img).toMatchObject({ width: SIZE, height: SIZE });
      expect(lumaSpread(img)).toBeGreaterThan(12);
    }
  });

  it("the two styles of a track are different pictures; two tracks give different covers", () => {
    const hashes = covers.map((pair) => pair.map((png) => perceptualHash(decodePng(png))));
    for (const [a, b] of hashes) expect(hammingDistance(a!, b!)).toBeGreaterThan(DIFFERENT);
    for (const style of [0, 1]) {
      expect(covers[0]![style]!.equals(covers[1]![style]!)).toBe(false);
      expect(hammingDistance(hashes[0]![style]!, hashes[1]![style]!)).toBeGreaterThan(DIFFERENT);
    }
  });

  it("the same track under another key gives byte-identical covers", async () => {
    const track = await uploadTrack(api2, songs[0]!);
    const gen = await api2.call("/api/v1/suno/cover/generate", { json: { taskId: track.taskId } });
    const rec = await waitFor(
      "the second key's covers",
      async () => {
        const r = await api2.call(`/api/v1/suno/cover/record-info?taskId=${gen.data.taskId}`);
        return r.data.status === "PENDING" ? undefined : r;
      },
      60_000,
      200,
    );
    const images = await Promise.all(
      (rec.data.response.images as string[]).map(async (u) =>
        Buffer.from(await (await fetch(u)).arrayBuffer()),
      ),
    );
    expect(images.map((png, i) => png.equals(covers[0]![i]!))).toEqual([true, true]);
    // The first key cannot see the second key's task.
    expect((await api.call(`/api/v1/suno/cover/record-info?taskId=${gen.data.taskId}`)).code).toBe(404);
  });
});
