/**
 * Issue 9, finding 2: limits that hold before the work starts. A 1.5 MB FLAC of 59 minutes of 7.1-channel 192 kHz
 * silence became a 10.9 GB WAV; registering one file as a new track again and again made 300 WAV tasks and 15 GB.
 * Now: the WAV's size is predicted from the track (duration × rate × channels × sample size) and held against the
 * limit for one result, the key's quota and the disk's floor; channels and rate are capped at upload. Scaled down
 * here: 5 minutes of 7.1 at 192 kHz, smaller limits.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeAudio, run, type TmpDir, tmpDir } from "../helpers/audio.js";
import { startTestHookline, type TestHookline } from "../helpers/hookline.js";
import { settledWav, streamUpload, uploadTrack } from "../http/support.js";

let dir: TmpDir;
let bomb: string;
let tenSeconds: string;
beforeAll(async () => {
  dir = await tmpDir("storage-limits");
  bomb = `${dir.path}/bomb.flac`;
  await run("ffmpeg", [
    ...["-nostdin", "-v", "error", "-f", "lavfi", "-i", "anullsrc=r=192000:cl=7.1", "-t", "300"],
    ...["-c:a", "flac", "-y", bomb],
  ]);
  tenSeconds = await makeAudio(dir.path, { format: "mp3", seconds: 10 });
});
afterAll(() => dir.cleanup());

const usage = async (h: TestHookline, keyId: string) =>
  Number(
    (
      await h.running.services.store.db
        .selectFrom("storage_usage")
        .select("bytes")
        .where("owner_id", "=", keyId)
        .executeTakeFirst()
    )?.bytes ?? 0,
  );

describe("a WAV bomb: 5 min of 7.1 at 192 kHz (a 922 MB WAV) with the limit for one result at 500 MB", () => {
  let h: TestHookline;
  beforeAll(async () => {
    h = await startTestHookline({ env: { HOOKLINE_MAX_OUTPUT_MB: "500" } });
  });
  afterAll(() => h.stop());

  it("is refused at submission with 413 and the predicted size; nothing is queued or written", async () => {
    const { audioId } = await uploadTrack(h, bomb);
    const res = await h.call("/api/v1/wav/generate", { json: { audioId } });
    expect(res).toMatchObject({ code: 413, data: null });
    expect(res.msg).toBe("The WAV would be 878.9 MB; the limit for one result is 500 MB");
    const tasks = await h.running.services.store.db
      .selectFrom("tasks")
      .select("id")
      .where("family", "=", "wav");
    expect(await tasks.execute()).toEqual([]);
  });
});

describe("one file registered as a track again and again, under a 10 MB quota (10 s WAVs of 1.7 MB)", () => {
  let h: TestHookline;
  beforeAll(async () => {
    h = await startTestHookline({ env: { HOOKLINE_KEY_QUOTA_MB: "10" }, roles: { runner: false } });
  });
  afterAll(() => h.stop());

  it("each track's WAV counts against the key: the sixth is refused, and the key never holds more than 10 MB", async () => {
    const up = await streamUpload(h, tenSeconds, { fileName: "again.mp3" });
    const answers: number[] = [];
    for (let i = 0; i < 12; i++) {
      const track = await h.call("/api/v1/hookline/tracks", { json: { filePath: up.data.filePath } });
      answers.push((await h.call("/api/v1/wav/generate", { json: { audioId: track.data.audioId } })).code);
    }
    expect(answers).toEqual([200, 200, 200, 200, 200, ...Array.from({ length: 7 }, () => 413)]);
    expect(await usage(h, h.keyId)).toBeLessThanOrEqual(10 * 2 ** 20);
  });
});

describe("source caps at upload: HOOKLINE_MAX_CHANNELS=2, HOOKLINE_MAX_SAMPLE_RATE=48000", () => {
  let h: TestHookline;
  beforeAll(async () => {
    h = await startTestHookline({
      env: { HOOKLINE_MAX_CHANNELS: "2", HOOKLINE_MAX_SAMPLE_RATE: "48000", HOOKLINE_CODE_DIALECT: "kie" },
    });
  });
  afterAll(() => h.stop());

  it("refuses 8 channels and 192 kHz (422 in the kie dialect), keeping no bytes", async () => {
    const res = await streamUpload(h, bomb);
    expect(res).toMatchObject({ success: false, code: 422, msg: "The audio has 8 channels; the limit is 2" });
    const hiRes = await makeAudio(dir.path, { format: "flac", seconds: 2, sampleRate: 96_000 });
    expect(await streamUpload(h, hiRes)).toMatchObject({
      code: 422,
      msg: "The audio's sample rate is 96000 Hz; the limit is 48000 Hz",
    });
    expect(await usage(h, h.keyId)).toBe(0);
  });
});

describe("a per-key quota of 1.95 MB over files and queued work (10 s WAVs of 1.7 MB)", () => {
  let h: TestHookline;
  beforeAll(async () => {
    h = await startTestHookline({ env: { HOOKLINE_KEY_QUOTA_MB: "1.95" } });
  });
  afterAll(() => h.stop());

  it("counts an upload and a conversion's predicted WAV, then refuses what passes the quota", async () => {
    const a = await uploadTrack(h, tenSeconds);
    const afterUpload = await usage(h, h.keyId);
    expect(afterUpload).toBeGreaterThan(100_000);
    const wav = await h.call("/api/v1/wav/generate", { json: { audioId: a.audioId } });
    expect(wav.code).toBe(200);
    // Queued or done, the WAV counts: its prediction while queued, its file once written (about the same bytes).
    const queued = (await usage(h, h.keyId)) - afterUpload;
    expect(queued).toBeGreaterThan(10 * 44_100 * 2 * 2);
    expect((await settledWav(h, wav.data.taskId)).data.status).toBe("SUCCESS");
    const written = (await usage(h, h.keyId)) - afterUpload;
    expect(Math.abs(written - queued) / queued).toBeLessThan(0.01);

    const refused = await streamUpload(h, tenSeconds, { fileName: "b.mp3" });
    expect(refused).toMatchObject({ success: false, code: 413 });
    expect(refused.msg).toMatch(/^Storage quota reached: this key holds [\d.]+ MB .* its quota is 1.9 MB\./);

    // Another key is not affected; deleting the task gives its WAV's bytes back.
    const other = await h.newKey("other");
    expect((await streamUpload(h, tenSeconds, { key: other.apiKey })).code).toBe(200);
    expect((await h.call(`/api/v1/hookline/tasks/${wav.data.taskId}`, { method: "DELETE" })).code).toBe(200);
    expect(await usage(h, h.keyId)).toBe(afterUpload);
    const b = await uploadTrack(h, tenSeconds);
    expect((await h.call("/api/v1/wav/generate", { json: { audioId: b.audioId } })).code).toBe(413);
  });
});

describe("a free-disk floor above what the disk has", () => {
  let h: TestHookline;
  beforeAll(async () => {
    h = await startTestHookline({ env: { HOOKLINE_MIN_FREE_DISK_MB: String(1024 * 1024 * 1024) } });
  });
  afterAll(() => h.stop());

  it("refuses uploads and new work with 455, saying why", async () => {
    const res = await streamUpload(h, tenSeconds);
    expect(res).toMatchObject({ success: false, code: 455 });
    expect(res.msg).toBe("The server is low on disk space and takes no new work; try again later");
  });
});
