/**
 * End to end, the custom-voice flow of spec 6 against the real `hookline serve --dev` (child process), keys made by
 * the real CLI, recordings made by espeak-ng on the spot, callbacks to a real receiver, signatures checked by
 * independent code: validate → a phrase in each language → regenerate → a recording of another voice (fail) →
 * a recording of the same voice (success, voiceId) → check-voice, the voice list, another key, deletion.
 */
import { readFile } from "node:fs/promises";
import type { IncomingMessage } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TmpDir, tmpDir } from "../helpers/audio.js";
import { type CliKey, createKeyWithCli, killAllChildren, startHooklineProcess } from "../helpers/process.js";
import { type Receiver, startReceiver } from "../helpers/receiver.js";
import { speak } from "../helpers/voice.js";
import { type Client, client, header, verifyReseller, verifyStandard, waitFor } from "./support.js";

const LANGUAGE_SCRIPT: Record<string, RegExp> = {
  en: /^[A-Z]/,
  es: /^[A-ZÁÉ]/,
  fr: /^[A-ZÀÉ]/,
  pt: /^[A-ZÀÉ]/,
  de: /^[A-ZÄÖÜ]/,
  ru: /\p{Script=Cyrillic}/u,
  zh: /\p{Script=Han}/u,
  ja: /\p{Script=Hiragana}/u,
  ko: /\p{Script=Hangul}/u,
  hi: /\p{Script=Devanagari}/u,
};

describe("e2e: the custom voice flow, signed callbacks, tenant isolation", () => {
  let dir: TmpDir;
  let receiver: Receiver;
  let key: CliKey;
  let other: CliKey;
  let api: Client;
  let otherApi: Client;
  const files: Record<string, string> = {};
  const served: Record<string, string> = {};
  let taskA = "";
  let taskB = "";
  let voiceId = "";

  const callbacks = () =>
    receiver.requests.filter((r) => r.method === "POST").map((r) => ({ ...r, json: JSON.parse(r.body) }));
  const callbacksFor = (taskId: string) => callbacks().filter((c) => c.json.taskId === taskId);
  const waitCallbacks = (taskId: string, n: number) =>
    waitFor(
      `${n} callback(s) of ${taskId}`,
      () => (callbacksFor(taskId).length >= n ? callbacksFor(taskId) : undefined),
      30_000,
    );
  const upload = async (c: Client, path: string) => {
    const form = new FormData();
    form.set("uploadPath", "voice");
    form.set("file", new Blob([await readFile(path)]), path.split("/").pop()!);
    const up = await c.call("/api/file-stream-upload", { method: "POST", body: form });
    expect(up.code, JSON.stringify(up)).toBe(200);
    return up.data.downloadUrl as string;
  };
  const checkSigned = (req: { body: string; headers: IncomingMessage["headers"] }, taskId: string) => {
    expect(() => verifyStandard(key.webhookHmacKey, req.body, req.headers)).not.toThrow();
    expect(verifyReseller(key.webhookHmacKey, taskId, req.headers)).toBe(true);
  };

  beforeAll(async () => {
    dir = await tmpDir("e2e-voice");
    receiver = await startReceiver((req, res) => {
      const name = req.method === "GET" ? served[req.url ?? ""] : undefined;
      if (name) {
        void readFile(name).then((bytes) => res.end(bytes));
        return;
      }
      res.end("ok");
    });
    const env = {
      HOOKLINE_DATA_DIR: `${dir.path}/data`,
      HOOKLINE_LOG_LEVEL: "warn",
      HOOKLINE_CONCURRENCY: "2",
    };
    // The source: three sentences of one espeak voice, as an MP3 upload. The verification takes are other
    // sentences, at another pitch and speed (within ±10 %), recorded "in a browser" (WebM/Opus, MP4/AAC).
    [files.source, files.same, files.impostor] = await Promise.all([
      speak(
        dir.path,
        "en+m3",
        [
          "The morning light is falling softly on the river.",
          "We keep on singing a brand new song together.",
          "My sister plays the old guitar by the window.",
        ],
        { format: "mp3" },
      ),
      speak(
        dir.path,
        "en+m3",
        ["Every evening, the birds repeat our chorus with a smile near the ocean waves."],
        {
          format: "webm",
          pitch: 55,
          speed: 165,
        },
      ),
      speak(dir.path, "en+f3", ["Tonight, our voices rise together slowly under the silver moon."], {
        format: "m4a",
      }),
    ]);
    served["/audio/source.mp3"] = files.source!;
    const server = await startHooklineProcess({ env, args: ["--dev"] });
    key = await createKeyWithCli(env, "voice");
    other = await createKeyWithCli(env, "other");
    api = client(server.url, key.apiKey);
    otherApi = client(server.url, other.apiKey);
  });

  afterAll(async () => {
    await killAllChildren();
    await receiver?.close();
    await dir?.cleanup();
  });

  it("validate fetches the source (from any URL), answers a phrase by callback and validate-info", async () => {
    // Fetched through the outbound guard (the receiver is a remote host to the server; --dev opens loopback).
    const res = await api.call("/api/v1/voice/validate", {
      json: {
        voiceUrl: `${receiver.origin}/audio/source.mp3`,
        vocalStartS: 0,
        vocalEndS: 7,
        language: "en",
        callBackUrl: `${receiver.origin}/hook/validate`,
      },
    });
    expect(res, JSON.stringify(res)).toMatchObject({ code: 200, msg: "success" });
    taskA = res.data.taskId;
    expect(taskA).toMatch(/^[0-9a-f]{32}$/);
    const [cb] = await waitCallbacks(taskA, 1);
    expect(cb!.json).toMatchObject({
      code: 200,
      msg: "success",
      taskId: taskA,
      data: { taskId: taskA, task_id: taskA, status: "wait_validating", errorCode: 0, errorMessage: "" },
    });
    expect(cb!.json.data.validateInfo).toMatch(LANGUAGE_SCRIPT.en!);
    checkSigned(cb!, taskA);
    const info = await api.call(`/api/v1/voice/validate-info?taskId=${taskA}`);
    expect(info.data).toEqual({
      taskId: taskA,
      validateInfo: cb!.json.data.validateInfo,
      status: "wait_validating",
      errorCode: 0,
      errorMessage: "",
    });
  });

  it("draws the phrase in each of the ten languages", async () => {
    const url = await upload(api, files.source!);
    const ids: Record<string, string> = {};
    for (const language of Object.keys(LANGUAGE_SCRIPT)) {
      const res = await api.call("/api/v1/voice/validate", {
        json: { voiceUrl: url, vocalStartS: 0.5, vocalEndS: 7, language },
      });
      expect(res.code, JSON.stringify(res)).toBe(200);
      ids[language] = res.data.taskId;
    }
    for (const [language, id] of Object.entries(ids)) {
      const info = await waitFor(
        `validation in ${language}`,
        async () => {
          const r = await api.call(`/api/v1/voice/validate-info?task_id=${id}`);
          return r.data.status === "wait_validating" || r.data.status === "processing_validate_fail"
            ? r
            : undefined;
        },
        30_000,
      );
      expect(info.data.status, JSON.stringify(info.data)).toBe("wait_validating");
      expect(info.data.validateInfo, language).toMatch(LANGUAGE_SCRIPT[language]!);
    }
  });

  it("regenerate keeps the task, replaces the phrase and sends a new callback message", async () => {
    const before = (await api.call(`/api/v1/voice/validate-info?taskId=${taskA}`)).data.validateInfo;
    const res = await api.call("/api/v1/voice/regenerate", {
      json: { taskId: taskA, calBackUrl: `${receiver.origin}/hook/regen` },
    });
    expect(res).toMatchObject({ code: 200, data: { taskId: taskA } });
    const cbs = await waitCallbacks(taskA, 2);
    const regen = cbs.find((c) => c.url === "/hook/regen")!;
    expect(regen.json.data.status).toBe("wait_validating");
    expect(regen.json.data.validateInfo).not.toBe(before);
    expect(header(regen.headers, "webhook-id")).not.toBe(header(cbs[0]!.headers, "webhook-id"));
    checkSigned(regen, taskA);
    const info = await api.call(`/api/v1/voice/validate-info?taskId=${taskA}`);
    expect(info.data.validateInfo).toBe(regen.json.data.validateInfo);
  });

  it("a recording of another voice fails, and the validation task may be used again", async () => {
    const res = await api.call("/api/v1/voice/generate", {
      json: {
        taskId: taskA,
        verifyUrl: await upload(api, files.impostor!),
        callBackUrl: `${receiver.origin}/hook/gen`,
      },
    });
    expect(res.code, JSON.stringify(res)).toBe(200);
    const failedB = res.data.taskId;
    expect(failedB).not.toBe(taskA);
    const [cb] = await waitCallbacks(failedB, 1);
    expect(cb!.json).toMatchObject({
      code: 400,
      taskId: failedB,
      data: { voiceId: "", status: "fail", errorCode: 400 },
    });
    expect(cb!.json.data.errorMessage).toMatch(/not the same voice/);
    checkSigned(cb!, failedB);
    const rec = await api.call(`/api/v1/voice/record-info?taskId=${failedB}`);
    expect(rec.data).toMatchObject({ taskId: failedB, voiceId: "", status: "fail", errorCode: 400 });
    expect((await api.call(`/api/v1/voice/validate-info?taskId=${taskA}`)).data.status).toBe(
      "wait_validating",
    );
    expect((await api.call("/api/v1/voice/check-voice", { json: { task_id: failedB } })).data).toEqual({
      isAvailable: false,
    });
  });

  it("a browser recording (WebM/Opus) of the same voice succeeds with a voiceId", async () => {
    const res = await api.call("/api/v1/voice/generate", {
      json: {
        task_id: taskA,
        verifyUrl: await upload(api, files.same!),
        voiceName: "Morning voice",
        description: "espeak-ng en+m3",
        style: "Pop, Male Vocal",
        singerSkillLevel: "intermediate",
        callBackUrl: `${receiver.origin}/hook/gen`,
      },
    });
    expect(res.code, JSON.stringify(res)).toBe(200);
    taskB = res.data.taskId;
    const [cb] = await waitCallbacks(taskB, 1);
    expect(cb!.json, JSON.stringify(cb!.json)).toMatchObject({
      code: 200,
      msg: "success",
      taskId: taskB,
      data: { taskId: taskB, task_id: taskB, status: "success", errorCode: 0, errorMessage: "" },
    });
    voiceId = cb!.json.data.voiceId;
    expect(voiceId).toMatch(/^voice_[0-9a-f]{32}$/);
    checkSigned(cb!, taskB);
    const rec = await api.call(`/api/v1/voice/record-info?taskId=${taskB}`);
    expect(rec.data).toEqual({ taskId: taskB, voiceId, status: "success", errorCode: 0, errorMessage: "" });
  });

  it("the validation task is used up: check-voice true for both tasks, no second generate or regenerate", async () => {
    expect((await api.call(`/api/v1/voice/validate-info?taskId=${taskA}`)).data.status).toBe("success");
    for (const body of [{ task_id: taskB }, { task_id: taskA }, { taskId: taskB }, { voiceId }]) {
      const res = await api.call("/api/v1/voice/check-voice", { json: body });
      expect(res, JSON.stringify(body)).toMatchObject({ code: 200, data: { isAvailable: true } });
    }
    const again = await api.call("/api/v1/voice/generate", {
      json: { taskId: taskA, verifyUrl: await upload(api, files.same!) },
    });
    expect(again.code).toBe(400);
    const regen = await api.call("/api/v1/voice/regenerate", { json: { taskId: taskA } });
    expect(regen.code).toBe(400);
  });

  it("the voice is listed for its key, with its profile", async () => {
    const list = await api.call("/api/v1/hookline/voices");
    expect(list.data.voices).toHaveLength(1);
    expect(list.data.voices[0]).toMatchObject({
      voiceId,
      voiceName: "Morning voice",
      description: "espeak-ng en+m3",
      style: "Pop, Male Vocal",
      singerSkillLevel: "intermediate",
      validationTaskId: taskA,
      taskId: taskB,
    });
    expect((await api.call(`/api/v1/hookline/voices/${voiceId}`)).data.voiceId).toBe(voiceId);
  });

  it("another key can neither see nor check nor delete the voice (404 like an unknown id)", async () => {
    for (const path of [
      `/api/v1/voice/record-info?taskId=${taskB}`,
      `/api/v1/voice/validate-info?taskId=${taskA}`,
      `/api/v1/hookline/voices/${voiceId}`,
    ]) {
      expect((await otherApi.call(path)).code, path).toBe(404);
    }
    for (const body of [{ task_id: taskB }, { task_id: taskA }, { voiceId }]) {
      expect((await otherApi.call("/api/v1/voice/check-voice", { json: body })).code).toBe(404);
    }
    expect((await otherApi.call("/api/v1/hookline/voices")).data.voices).toEqual([]);
    expect((await otherApi.call(`/api/v1/hookline/voices/${voiceId}`, { method: "DELETE" })).code).toBe(404);
    const generate = await otherApi.call("/api/v1/voice/generate", {
      json: { taskId: taskA, verifyUrl: `${receiver.origin}/x.webm` },
    });
    expect(generate.code).toBe(404);
  });

  it("after deletion the voice is no longer available", async () => {
    const del = await api.call(`/api/v1/hookline/voices/${voiceId}`, { method: "DELETE" });
    expect(del).toMatchObject({ code: 200, data: { voiceId, deleted: true } });
    expect((await api.call("/api/v1/voice/check-voice", { json: { task_id: taskB } })).data).toEqual({
      isAvailable: false,
    });
    expect((await api.call("/api/v1/hookline/voices")).data.voices).toEqual([]);
    expect((await api.call(`/api/v1/hookline/voices/${voiceId}`, { method: "DELETE" })).code).toBe(404);
  });
});
