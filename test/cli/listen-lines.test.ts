/**
 * What `hookline listen` shows of one callback (issue 13): a voice validation's phrase and a voice generation's
 * voiceId, the signing age in whole seconds (the timestamp has 1 s resolution, so no sub-second "latency"), and a
 * refusal that says why.
 */
import { describe, expect, it } from "vitest";
import { receive } from "../../src/cli/listen/receive.js";

const opts = { keys: [], toleranceS: 300, forwardTo: null, index: null, downloader: null };
const body = (data: Record<string, unknown>) =>
  Buffer.from(JSON.stringify({ code: 200, msg: "success", data }));

describe("listen's view of a callback", () => {
  it("shows a validation's phrase and a generation's voiceId", async () => {
    const validate = await receive(
      opts,
      {},
      body({ task_id: "t1", status: "wait_validating", validateInfo: "Sing the river song tonight" }),
    );
    expect(validate).toMatchObject({ family: "voice-validate", phrase: "Sing the river song tonight" });
    const generate = await receive(
      opts,
      {},
      body({ task_id: "t2", status: "success", voiceId: "voice_0123456789abcdef0123456789abcdef" }),
    );
    expect(generate).toMatchObject({
      family: "voice-generate",
      voiceId: "voice_0123456789abcdef0123456789abcdef",
    });
  });

  it("counts the signing age in whole seconds", async () => {
    const now = Math.floor(Date.now() / 1000);
    const fresh = await receive(opts, { "webhook-timestamp": String(now) }, body({ task_id: "t3" }));
    expect([0, 1]).toContain(fresh.signedAgoS);
    const queued = await receive(opts, { "webhook-timestamp": String(now - 30) }, body({ task_id: "t3" }));
    expect(queued.signedAgoS).toBeGreaterThanOrEqual(30);
    expect(queued.signedAgoS).toBeLessThanOrEqual(31);
  });

  it("says why a callback was refused", async () => {
    const refused = await receive(
      { ...opts, keys: ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"] },
      {
        "webhook-id": "msg_x",
        "webhook-timestamp": String(Math.floor(Date.now() / 1000)),
        "webhook-signature": "v1,AAAA",
      },
      body({ task_id: "t4" }),
    );
    expect(refused.status).toBe(401);
    expect(refused.verification).toBe("signature_mismatch");
    expect(refused.error).toMatch(/\w/);
  });
});
