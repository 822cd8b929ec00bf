/**
 * A real Hookline (in-process, dev mode: loopback open) against hostile peers (issue 9, finding 1): file-url-upload
 * answers each peer's documented error, a voiceUrl that cannot be fetched ends its task, a callback to a hostile
 * receiver ends as a recorded attempt, each within a bounded time, and the server keeps serving.
 */

import { performance } from "node:perf_hooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeAudio, type TmpDir, tmpDir } from "../helpers/audio.js";
import { failOnUncaught } from "../helpers/crashes.js";
import { startTestHookline, type TestHookline } from "../helpers/hookline.js";
import { BODY_BYTES, type HostilePeer, startHostilePeer } from "../helpers/hostile-peer.js";
import { waitFor } from "../helpers/wait.js";
import { expectServing, uploadTrack } from "../http/support.js";

failOnUncaught();

/** The server's download and callback timeouts, in seconds. */
const LIMIT_S = 1.5;
/** Generous for a loaded 2-core machine: a failure that needs no deadline comes well within this. */
const PROMPT_MS = 5_000;

describe("a real server against hostile peers", () => {
  let h: TestHookline;
  let peer: HostilePeer;
  let dir: TmpDir;
  let mp3: string;

  beforeAll(async () => {
    peer = await startHostilePeer();
    h = await startTestHookline({
      env: {
        HOOKLINE_DOWNLOAD_TIMEOUT: String(LIMIT_S),
        HOOKLINE_CALLBACK_TIMEOUT: String(LIMIT_S),
        HOOKLINE_MAX_UPLOAD_MB: "1",
      },
    });
    dir = await tmpDir("hostile");
    mp3 = await makeAudio(dir.path, { format: "mp3", seconds: 1 });
  });
  afterAll(async () => {
    await h.stop();
    await peer.close();
    await dir.cleanup();
  });

  const upload = async (behaviour: string) => {
    const started = performance.now();
    const env = await h.call("/api/file-url-upload", {
      json: { fileUrl: peer.url(behaviour), uploadPath: "hostile" },
    });
    return { env, ms: performance.now() - started };
  };

  it("file-url-upload from the FIN peers stores the whole file", async () => {
    for (const behaviour of ["fin-after-body", "close-delimited"]) {
      const { env } = await upload(behaviour);
      expect(env, behaviour).toMatchObject({ success: true, code: 200, data: { fileSize: BODY_BYTES } });
    }
  });

  it.each([
    ["short-length", 400, PROMPT_MS],
    ["bad-chunked", 400, PROMPT_MS],
    ["reset-mid-body", 400, PROMPT_MS],
    ["reset-at-once", 400, PROMPT_MS],
    ["huge-headers", 400, PROMPT_MS],
    ["gzip-bomb", 400, PROMPT_MS],
    ["loop", 400, PROMPT_MS],
    ["endless", 413, PROMPT_MS],
    ["silent", 400, LIMIT_S * 1000 + PROMPT_MS],
    ["drip", 400, LIMIT_S * 1000 + PROMPT_MS],
  ])("file-url-upload from %s: %i, and the server keeps serving", async (behaviour, code, bound) => {
    const { env, ms } = await upload(behaviour);
    expect(env, JSON.stringify(env)).toMatchObject({ success: false, code });
    if (code === 400) expect(env.msg).toMatch(/fileUrl could not be fetched/);
    expect(ms).toBeLessThan(bound);
    await expectServing(h);
  });

  it.each([["silent"], ["bad-chunked"]])("a voiceUrl from %s ends the validation task", async (behaviour) => {
    const res = await h.call("/api/v1/voice/validate", {
      json: { voiceUrl: peer.url(behaviour), vocalStartS: 0, vocalEndS: 5 },
    });
    expect(res.code, JSON.stringify(res)).toBe(200);
    let rec: Awaited<ReturnType<TestHookline["call"]>> | undefined;
    await waitFor("the validation task", async () => {
      rec = await h.call(`/api/v1/voice/validate-info?taskId=${res.data.taskId}`);
      return !["wait_processing", "processing_validate"].includes(rec.data?.status);
    });
    expect(rec?.data).toMatchObject({ status: "processing_validate_fail", errorCode: 400 });
    expect(rec?.data.errorMessage).toMatch(/voiceUrl could not be fetched/);
    await expectServing(h);
  });

  it.each([
    ["silent", null, "timeout"],
    ["reset-at-once", null, "reset"],
    ["huge-headers", null, "other"],
    ["loop", 302, "http_status"],
    ["fin-after-body", 200, null],
  ])(
    "a WAV callback to %s is a recorded attempt (status %s, error class %s)",
    async (behaviour, status, errorClass) => {
      const track = await uploadTrack(h, mp3);
      const gen = await h.call("/api/v1/wav/generate", {
        json: { audioId: track.audioId, callBackUrl: peer.url(behaviour) },
      });
      expect(gen.code, JSON.stringify(gen)).toBe(200);
      let attempts: {
        statusCode: number | null;
        errorClass: string | null;
        latencyMs: number;
        outcome: string;
      }[] = [];
      await waitFor("the first attempt", async () => {
        attempts =
          (await h.call(`/api/v1/hookline/tasks/${gen.data.taskId}/deliveries`)).data?.attempts ?? [];
        return attempts.length > 0;
      });
      expect(attempts[0]).toMatchObject({
        statusCode: status,
        errorClass,
        outcome: status === 200 ? "delivered" : "retry",
      });
      expect(attempts[0]!.latencyMs).toBeLessThan(LIMIT_S * 1000 + PROMPT_MS);
      await expectServing(h);
    },
  );
});
