/**
 * The voice endpoints through the real server (in-process, real SQLite, real files, real audio): field
 * spellings, the checks answered at once (400 / 422, no task), the checks that end the task
 * (`processing_validate_fail` / `fail`, callback code 400), wrong states, and the browser's recording formats.
 */

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TmpDir, tmpDir } from "../helpers/audio.js";
import { type Envelope, startTestHookline, type TestHookline } from "../helpers/hookline.js";
import { type Receiver, startReceiver } from "../helpers/receiver.js";
import { badTakes, speak } from "../helpers/voice.js";
import { waitFor } from "../helpers/wait.js";
import { expectServing, streamUpload } from "../http/support.js";

describe("voice endpoints", () => {
  let h: TestHookline;
  let dir: TmpDir;
  let receiver: Receiver;
  let sourceUrl: string;
  const cb = () => `${receiver.origin}/cb`;
  const urls: Record<string, string> = {};

  const upload = async (path: string, key?: string) => {
    const up = await streamUpload(
      h,
      path,
      key === undefined ? { uploadPath: "voice" } : { uploadPath: "voice", key },
    );
    expect(up.code, JSON.stringify(up)).toBe(200);
    return up.data.downloadUrl as string;
  };
  const settled = async (taskId: string, path = "validate-info"): Promise<Envelope> => {
    let rec: Envelope | undefined;
    await waitFor(`task ${taskId} to settle`, async () => {
      rec = await h.call(`/api/v1/voice/${path}?taskId=${taskId}`);
      return !["wait_processing", "processing_validate"].includes(rec.data?.status);
    });
    return rec!;
  };
  const validate = async (body: Record<string, unknown>) => {
    const res = await h.call("/api/v1/voice/validate", {
      json: { voiceUrl: sourceUrl, vocalStartS: 0, vocalEndS: 8, ...body },
    });
    expect(res.code, JSON.stringify(res)).toBe(200);
    return settled(res.data.taskId);
  };
  const taskCount = async () =>
    (await h.call("/api/v1/hookline/tasks?family=voice&limit=500")).data.tasks.length;

  beforeAll(async () => {
    h = await startTestHookline();
    dir = await tmpDir("voice");
    receiver = await startReceiver((_req, res) => res.end("ok"));
    const takes = await badTakes(dir.path, "en+m7");
    const source = await speak(dir.path, "en+m7", [
      "The morning light is falling softly on the river.",
      "We keep on singing a brand new song together.",
      "My sister plays the old guitar by the window.",
      "The children follow the music down the road.",
    ]);
    sourceUrl = await upload(source);
    for (const [name, path] of Object.entries(takes)) urls[name] = await upload(path);
    const phrase = ["Every evening, the birds repeat our chorus with a smile near the ocean waves."];
    for (const format of ["webm", "m4a", "mp3", "ogg", "flac", "wav"] as const) {
      urls[format] = await upload(await speak(dir.path, "en+m7", phrase, { format, pitch: 46, speed: 185 }));
    }
  });
  afterAll(async () => {
    await receiver.close();
    await h.stop();
    await dir.cleanup();
  });

  const immediate: [string, Record<string, unknown>, RegExp][] = [
    ["vocalEndS equal to vocalStartS", { vocalStartS: 5, vocalEndS: 5 }, /greater than vocalStartS/],
    ["vocalEndS before vocalStartS", { vocalStartS: 5, vocalEndS: 2 }, /greater than vocalStartS/],
    ["a negative start", { vocalStartS: -1, vocalEndS: 5 }, />= 0/],
    ["a segment over 60 s", { vocalStartS: 0, vocalEndS: 61 }, /at most 60 s/],
    ["a segment under 3 s", { vocalStartS: 0, vocalEndS: 2.5 }, /at least 3 s/],
    ["a language outside the ten", { language: "it" }, /language/],
    ["a string where seconds are due", { vocalStartS: "0" }, /vocalStartS/],
    ["no voiceUrl", { voiceUrl: undefined }, /voiceUrl/],
    ["a voiceUrl that is not http(s)", { voiceUrl: "file:///etc/passwd" }, /http/],
  ];
  for (const [what, change, message] of immediate) {
    it(`${what}: 400 at once, no task`, async () => {
      const before = await taskCount();
      const res = await h.call("/api/v1/voice/validate", {
        json: { voiceUrl: sourceUrl, vocalStartS: 0, vocalEndS: 8, ...change },
      });
      expect(res.code, JSON.stringify(res)).toBe(400);
      expect(res.msg).toMatch(message);
      expect(await taskCount()).toBe(before);
    });
  }

  it("the kie dialect answers those with 422", async () => {
    const kie = await startTestHookline({ env: { HOOKLINE_CODE_DIALECT: "kie" } });
    try {
      const res = await kie.call("/api/v1/voice/validate", {
        json: { voiceUrl: "https://example.com/a.mp3", vocalStartS: 4, vocalEndS: 1 },
      });
      expect(res.code).toBe(422);
    } finally {
      await kie.stop();
    }
  });

  const failing: [string, () => Record<string, unknown>, RegExp][] = [
    ["silence", () => ({ voiceUrl: urls.silence }), /silent/],
    ["white noise", () => ({ voiceUrl: urls.noise }), /Not enough voice in the source segment: 0\.0 s/],
    ["a clipped recording", () => ({ voiceUrl: urls.clipped }), /clipped: \d+\.\d % of its samples/],
    [
      "a segment outside the track",
      () => ({ vocalStartS: 20, vocalEndS: 30 }),
      /The segment 20 s–30 s lies outside the recording, which ends before 20 s/,
    ],
    [
      "a segment that runs past the end",
      () => ({ vocalStartS: 4, vocalEndS: 14 }),
      /The segment 4 s–14 s lies outside the recording, which is \d+(\.\d+)? s long/,
    ],
    [
      "a file that is not audio",
      () => ({ voiceUrl: urls.text }),
      /voiceUrl is not audio that can be decoded/,
    ],
  ];
  for (const [what, body, message] of failing) {
    it(`${what}: processing_validate_fail, code 400, a message saying why`, async () => {
      const rec = await validate({ ...body(), callBackUrl: cb() });
      expect(rec.data).toMatchObject({
        status: "processing_validate_fail",
        errorCode: 400,
        validateInfo: "",
      });
      expect(rec.data.errorMessage).toMatch(message);
      await waitFor("the callback", () =>
        receiver.requests.some((r) => JSON.parse(r.body).taskId === rec.data.taskId),
      );
      const body2 = JSON.parse(
        receiver.requests.find((r) => JSON.parse(r.body).taskId === rec.data.taskId)!.body,
      );
      expect(body2).toMatchObject({
        code: 400,
        data: { status: "processing_validate_fail", errorCode: 400, validateInfo: "" },
      });
      expect(body2.data.errorMessage).toBe(rec.data.errorMessage);
      // A failed validation takes no further action.
      expect((await h.call("/api/v1/voice/regenerate", { json: { taskId: rec.data.taskId } })).code).toBe(
        400,
      );
      expect(
        (await h.call("/api/v1/voice/generate", { json: { taskId: rec.data.taskId, verifyUrl: urls.webm } }))
          .code,
      ).toBe(400);
    });
  }

  it("an unreachable voiceUrl ends the task with the reason", async () => {
    const rec = await validate({ voiceUrl: `${receiver.origin.replace(/:\d+$/, ":9")}/missing.mp3` });
    expect(rec.data).toMatchObject({ status: "processing_validate_fail", errorCode: 400 });
    expect(rec.data.errorMessage).toMatch(/voiceUrl could not be fetched/);
  });

  for (const format of ["webm", "m4a", "mp3", "ogg", "flac", "wav"]) {
    it(`a verification recorded as ${format} is decoded and verified`, async () => {
      const a = await validate({ language: "de" });
      expect(a.data.status).toBe("wait_validating");
      const gen = await h.call("/api/v1/voice/generate", {
        json: { taskId: a.data.taskId, verifyUrl: urls[format] },
      });
      expect(gen.code, JSON.stringify(gen)).toBe(200);
      const rec = await settled(gen.data.taskId, "record-info");
      expect(rec.data, JSON.stringify(rec.data)).toMatchObject({ status: "success", errorCode: 0 });
      expect(rec.data.voiceId).toMatch(/^voice_[0-9a-f]{32}$/);
    });
  }

  it("an unusable verification recording fails the generate task; generate may be called again", async () => {
    const a = await validate({});
    const bad = await h.call("/api/v1/voice/generate", {
      json: { taskId: a.data.taskId, verifyUrl: urls.noise },
    });
    const failed = await settled(bad.data.taskId, "record-info");
    expect(failed.data).toMatchObject({ status: "fail", errorCode: 400, voiceId: "" });
    expect(failed.data.errorMessage).toMatch(/Not enough voice in the verification recording/);
    const good = await h.call("/api/v1/voice/generate", {
      json: { taskId: a.data.taskId, verifyUrl: urls.wav },
    });
    expect((await settled(good.data.taskId, "record-info")).data.status).toBe("success");
  });

  it("wrong task ids and wrong states answer at once", async () => {
    const a = await validate({});
    const missing = await h.call("/api/v1/voice/generate", {
      json: { taskId: "0".repeat(32), verifyUrl: urls.wav },
    });
    expect(missing.code).toBe(404);
    const noId = await h.call("/api/v1/voice/generate", { json: { verifyUrl: urls.wav } });
    expect(noId).toMatchObject({ code: 400, msg: "taskId is required" });
    const gen = await h.call("/api/v1/voice/generate", {
      json: { taskId: a.data.taskId, verifyUrl: urls.wav },
    });
    // The generate task is not a validation task.
    const onB = await h.call("/api/v1/voice/generate", {
      json: { taskId: gen.data.taskId, verifyUrl: urls.wav },
    });
    expect(onB.code).toBe(400);
    expect(onB.msg).toMatch(/validation task/);
    await settled(gen.data.taskId, "record-info");
    const wavTask = await h.call("/api/v1/voice/check-voice", { json: { task_id: "f".repeat(32) } });
    expect(wavTask.code).toBe(404);
    await expectServing(h);
  });

  it("HOOKLINE_VOICE_THRESHOLD moves the decision: at 0.99 even the owner's take is refused, and says so", async () => {
    const strict = await startTestHookline({ env: { HOOKLINE_VOICE_THRESHOLD: "0.99" } });
    try {
      const up = async (path: string) =>
        (await streamUpload(strict, path, { uploadPath: "voice" })).data.downloadUrl as string;
      const source = await up(
        await speak(dir.path, "en+m7", [
          "The morning light is falling softly on the river.",
          "We keep on singing a brand new song together.",
          "My sister plays the old guitar by the window.",
        ]),
      );
      const res = await strict.call("/api/v1/voice/validate", {
        json: { voiceUrl: source, vocalStartS: 0, vocalEndS: 6 },
      });
      let info: Envelope | undefined;
      await waitFor("the phrase", async () => {
        info = await strict.call(`/api/v1/voice/validate-info?taskId=${res.data.taskId}`);
        return info.data.status === "wait_validating";
      });
      const take = await up(await speak(dir.path, "en+m7", ["Every evening, the birds repeat our chorus."]));
      const gen = await strict.call("/api/v1/voice/generate", {
        json: { taskId: res.data.taskId, verifyUrl: take },
      });
      let rec: Envelope | undefined;
      await waitFor("the verification", async () => {
        rec = await strict.call(`/api/v1/voice/record-info?taskId=${gen.data.taskId}`);
        return rec.data.status === "fail" || rec.data.status === "success";
      });
      expect(rec!.data).toMatchObject({ status: "fail", errorCode: 400 });
      expect(rec!.data.errorMessage).toMatch(/not the same voice .*0\.99 needed/);
    } finally {
      await strict.stop();
    }
  });
});
