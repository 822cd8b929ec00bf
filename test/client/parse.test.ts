/**
 * `parseCallback` over the bodies of every family in every spelling the resellers' docs show (spec 4.3, 5.3, 6.9,
 * 11) and the brands' differences (kie `errorCode: null`, sunoapi `0`; `voiceId: ""` on failure; codes as strings).
 */
import { describe, expect, it } from "vitest";
import { type Callback, parseCallback } from "../../src/client/index.js";

const T = "5c79a1b2c3d4e5f60718293a4b5cbe8e";
function parse(body: unknown): Callback {
  const r = parseCallback(typeof body === "string" ? body : JSON.stringify(body));
  if (!r.ok) throw new Error(r.message);
  return r.callback;
}

describe("parseCallback", () => {
  it("reads WAV callbacks: reseller doc (task_id, audioWavUrl), audio_wav_url, Hookline's (all spellings), failure", () => {
    expect(
      parse({ code: 200, msg: "success", data: { task_id: T, audioWavUrl: "https://x/a.wav" } }),
    ).toMatchObject({
      family: "wav",
      taskId: T,
      succeeded: true,
      audioWavUrl: "https://x/a.wav",
    });
    expect(parse({ code: 200, msg: "ok", data: { task_id: T, audio_wav_url: "u2" } })).toMatchObject({
      audioWavUrl: "u2",
    });
    const hookline = {
      code: 200,
      msg: "success",
      taskId: T,
      data: { task_id: T, taskId: T, audioWavUrl: "u", audio_wav_url: "u" },
    };
    expect(parse(hookline)).toMatchObject({ family: "wav", taskId: T, audioWavUrl: "u" });
    expect(
      parse({ code: 451, msg: "source", data: { task_id: T, audioWavUrl: null, audio_wav_url: null } }),
    ).toMatchObject({
      family: "wav",
      code: 451,
      succeeded: false,
      audioWavUrl: null,
    });
    // The guide's sample: the id at the top and under data.task_id.
    expect(
      parse({ code: "200", msg: "success", taskId: T, data: { task_id: T, audioWavUrl: "u" } }),
    ).toMatchObject({ code: 200 });
  });

  it("reads cover callbacks, success and failure", () => {
    expect(
      parse({ code: 200, msg: "success", data: { taskId: T, images: ["a.png", "b.png"] } }),
    ).toMatchObject({
      family: "cover",
      images: ["a.png", "b.png"],
      succeeded: true,
    });
    for (const code of [400, 408, 500, 501, 531]) {
      expect(parse({ code, msg: "x", data: { taskId: T, images: null } })).toMatchObject({
        family: "cover",
        images: null,
        succeeded: false,
      });
    }
  });

  it("reads voice validate and regenerate callbacks, sunoapi (errorCode 0) and kie (null)", () => {
    const ok = {
      code: 200,
      msg: "success",
      data: {
        taskId: T,
        validateInfo: "sing this",
        status: "wait_validating",
        errorCode: 0,
        errorMessage: "",
      },
    };
    expect(parse(ok)).toMatchObject({
      family: "voice-validate",
      validateInfo: "sing this",
      status: "wait_validating",
      errorCode: null,
      errorMessage: null,
      succeeded: true,
    });
    expect(parse({ ...ok, data: { ...ok.data, errorCode: null } })).toMatchObject({ errorCode: null });
    expect(
      parse({
        code: 400,
        msg: "bad",
        data: {
          taskId: T,
          validateInfo: "",
          status: "processing_validate_fail",
          errorCode: 400,
          errorMessage: "silence",
        },
      }),
    ).toMatchObject({
      family: "voice-validate",
      succeeded: false,
      validateInfo: null,
      errorCode: 400,
      errorMessage: "silence",
    });
  });

  it("reads voice generate callbacks, success and failure in both brands", () => {
    expect(
      parse({
        code: 200,
        msg: "success",
        data: { taskId: T, voiceId: "voice_1", status: "success", errorCode: 0, errorMessage: "" },
      }),
    ).toMatchObject({ family: "voice-generate", voiceId: "voice_1", succeeded: true, errorCode: null });
    expect(
      parse({
        code: 400,
        msg: "mismatch",
        data: { taskId: T, voiceId: "", status: "fail", errorCode: 400, errorMessage: "not the same voice" },
      }),
    ).toMatchObject({ family: "voice-generate", voiceId: null, succeeded: false });
    // kie: failure code 500, no voiceId at all.
    expect(
      parse({
        code: 500,
        msg: "failed",
        data: { taskId: T, status: "fail", errorCode: null, errorMessage: "x" },
      }),
    ).toMatchObject({
      family: "voice-generate",
      voiceId: null,
    });
  });

  it("reads an unknown family without failing, and refuses bodies that are not callbacks", () => {
    expect(parse({ code: 200, msg: "ok", taskId: T, data: { somethingNew: 1 } })).toMatchObject({
      family: "unknown",
      taskId: T,
    });
    expect(parseCallback("{not json")).toMatchObject({ ok: false, code: "invalid_json" });
    expect(parseCallback("[]")).toMatchObject({ ok: false, code: "not_a_callback" });
    expect(parseCallback({ code: 200, data: {} })).toMatchObject({ ok: false, code: "not_a_callback" });
    expect(
      parseCallback(Buffer.from(JSON.stringify({ code: 200, data: { task_id: T, audioWavUrl: "u" } }))),
    ).toMatchObject({ ok: true });
  });
});
