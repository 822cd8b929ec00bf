/**
 * End to end: the real `hookline serve --dev` as a child process, a key made by the real CLI, real uploads, real
 * conversions, real callbacks to a receiver on 127.0.0.1, both signatures checked by independent code, the WAV
 * downloaded from its signed URL and compared sample by sample with ffmpeg's own decode of the source.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeRaw, makeAudio, type TmpDir, tmpDir } from "../helpers/audio.js";
import {
  type CliKey,
  createKeyWithCli,
  type HooklineProcess,
  killAllChildren,
  liveChildren,
  startHooklineProcess,
} from "../helpers/process.js";
import { type Receiver, startReceiver } from "../helpers/receiver.js";
import {
  type Client,
  client,
  generateWav,
  header,
  maxSampleDiff,
  parseWav,
  uploadTrack,
  verifyReseller,
  verifyStandard,
  waitFor,
  waitForWavRecord,
} from "./support.js";

const SECONDS = 3;
const RATE = 44_100;
const CHANNELS = 2;

describe("e2e: hookline serve converts MP3 and FLAC and calls back, signed", () => {
  let dir: TmpDir;
  let server: HooklineProcess | null = null;
  let receiver: Receiver;
  let key: CliKey;
  let api: Client;
  let env: Record<string, string>;
  const sources: Record<"mp3" | "flac", string> = { mp3: "", flac: "" };
  const tasks: Record<"mp3" | "flac", string> = { mp3: "", flac: "" };

  beforeAll(async () => {
    dir = await tmpDir("e2e-wav");
    receiver = await startReceiver((_req, res) => res.end("ok"));
    env = {
      HOOKLINE_DATA_DIR: `${dir.path}/data`,
      HOOKLINE_LOG_LEVEL: "warn",
      HOOKLINE_CONCURRENCY: "2",
    };
    const [mp3, flac] = await Promise.all([
      makeAudio(dir.path, { format: "mp3", seconds: SECONDS, sampleRate: RATE, channels: CHANNELS }),
      makeAudio(dir.path, { format: "flac", seconds: SECONDS, sampleRate: RATE, channels: CHANNELS }),
    ]);
    sources.mp3 = mp3;
    sources.flac = flac;
    server = await startHooklineProcess({ env, args: ["--dev"] });
    // The CLI writes straight into the database of the running server (spec 13: with or without a server).
    key = await createKeyWithCli(env, "e2e");
    api = client(server.url, key.apiKey);
  });

  afterAll(async () => {
    await killAllChildren();
    await receiver?.close();
    await dir?.cleanup();
  });

  it("the CLI printed one JSON line with an API key and a whsec_ webhook key", () => {
    expect(key.apiKey.length).toBeGreaterThan(20);
    expect(key.webhookHmacKey).toMatch(/^whsec_[A-Za-z0-9+/]+={0,2}$/);
  });

  it("uploads both files and converts them with a callback each", async () => {
    for (const format of ["mp3", "flac"] as const) {
      const track = await uploadTrack(api, sources[format]);
      tasks[format] = await generateWav(api, track.audioId, `${receiver.origin}/hook/${format}`);
      expect(tasks[format]).toMatch(/^[0-9a-f]{32}$/);
    }
    await waitFor("both callbacks", () => (receiver.requests.length >= 2 ? true : undefined), 30_000);
    // Each task is delivered once to a receiver that answers 200 at once.
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.requests).toHaveLength(2);
  });

  it("signs every callback in both schemes, checked by independent implementations", () => {
    for (const req of receiver.requests) {
      expect(req.method).toBe("POST");
      expect(header(req.headers, "content-type")).toMatch(/^application\/json/);
      const body = JSON.parse(req.body) as { taskId: string };
      expect(() => verifyStandard(key.webhookHmacKey, req.body, req.headers)).not.toThrow();
      expect(header(req.headers, "webhook-id")).toMatch(/^msg_/);
      expect(verifyReseller(key.webhookHmacKey, body.taskId, req.headers)).toBe(true);
      const ts = Number(header(req.headers, "x-webhook-timestamp"));
      expect(Math.abs(ts - Date.now() / 1000)).toBeLessThan(300);
      // A tampered body fails the Standard Webhooks check: the body is covered there.
      expect(() =>
        verifyStandard(key.webhookHmacKey, req.body.replace("success", "failure"), req.headers),
      ).toThrow();
    }
  });

  for (const format of ["mp3", "flac"] as const) {
    it(`${format}: callback body, record-info and the WAV itself`, async () => {
      const taskId = tasks[format];
      const req = receiver.requests.find((r) => r.url === `/hook/${format}`);
      expect(req).toBeDefined();
      const body = JSON.parse(req!.body);
      expect(body).toMatchObject({ code: 200, msg: "success", taskId });
      expect(body.data.task_id).toBe(taskId);
      expect(body.data.taskId).toBe(taskId);
      expect(typeof body.data.audioWavUrl).toBe("string");
      expect(body.data.audio_wav_url).toBe(body.data.audioWavUrl);

      const rec = await waitForWavRecord(api, taskId, 30_000);
      expect(rec.code).toBe(200);
      expect(rec.data.status).toBe("SUCCESS");
      expect(rec.data.taskId).toBe(taskId);
      expect(rec.data.errorCode).toBeNull();
      expect(rec.data.response.audio_wav_url).toBe(rec.data.response.audioWavUrl);

      // The signed link needs no API key.
      const res = await fetch(body.data.audioWavUrl as string, { signal: AbortSignal.timeout(30_000) });
      expect(res.status).toBe(200);
      const wav = parseWav(Buffer.from(await res.arrayBuffer()));
      expect(wav).toMatchObject({
        audioFormat: 1,
        bitsPerSample: 16,
        sampleRate: RATE,
        channels: CHANNELS,
        blockAlign: CHANNELS * 2,
        byteRate: RATE * CHANNELS * 2,
      });
      const durationS = wav.data.length / wav.blockAlign / wav.sampleRate;
      // LAME's gapless header lets the decoder drop the encoder's delay and padding; ~60 ms of slack otherwise.
      expect(Math.abs(durationS - SECONDS)).toBeLessThan(0.06);

      const reference = await decodeRaw(sources[format], "s16le");
      if (format === "flac") {
        expect(wav.data.equals(reference)).toBe(true);
      } else {
        expect(maxSampleDiff(wav.data, reference)).toBeLessThanOrEqual(1);
      }
    });
  }

  it("shows the delivery in the delivery log", async () => {
    for (const format of ["mp3", "flac"] as const) {
      const log = await api.call(`/api/v1/hookline/tasks/${tasks[format]}/deliveries`);
      expect(log.code).toBe(200);
      expect(log.data.messages).toHaveLength(1);
      expect(log.data.messages[0].state).toBe("delivered");
      const req = receiver.requests.find((r) => r.url === `/hook/${format}`);
      expect(log.data.messages[0].messageId).toBe(header(req!.headers, "webhook-id"));
      // Attempts are group-committed: give the writer a moment.
      const attempts = await waitFor(
        "the attempt record",
        async () => {
          const l = await api.call(`/api/v1/hookline/tasks/${tasks[format]}/deliveries`);
          return l.data.attempts.length > 0 ? l.data.attempts : undefined;
        },
        10_000,
      );
      expect(attempts[0]).toMatchObject({ statusCode: 200, outcome: "delivered", number: 1 });
    }
  });

  it("stops gracefully on SIGTERM: exit code 0 within a few seconds", async () => {
    const s = server!;
    const exit = await s.stop("SIGTERM", 10_000);
    expect(exit, s.output()).toMatchObject({ code: 0, signal: null });
    expect(exit.ms).toBeLessThan(5_000);
    expect(liveChildren()).toBe(0);
  });
});
