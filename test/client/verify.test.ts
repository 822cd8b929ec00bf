/**
 * `verifyCallback` against signatures made by other code: the known-answer vectors of the spec (computed
 * independently), the `standardwebhooks` package, and this test's own `crypto.createHmac` for the reseller scheme.
 */
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { verifyCallback } from "../../src/client/index.js";

interface Vector {
  webhookHmacKey: string;
  rawBody: string;
  taskId: string;
  headers: Record<string, string>;
}
const vectors = (
  JSON.parse(readFileSync(new URL("../fixtures/signature-vectors.json", import.meta.url), "utf8")) as {
    cases: Vector[];
  }
).cases;

const KEY = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const OLD = "whsec_c2Vjb25kLWtleS1mb3Itcm90YXRpb24tdGVzdHMh";
const TASK = "0123456789abcdef0123456789abcdef";
const BODY = JSON.stringify({
  code: 200,
  msg: "success",
  taskId: TASK,
  data: { task_id: TASK, audioWavUrl: "u" },
});
const NOW = 1_763_800_000_000;
const TS = NOW / 1000;

/** Standard Webhooks headers by the reference library. */
function standard(key: string, body = BODY, ts = TS, id = "msg_test1") {
  const sig = new Webhook(key).sign(id, new Date(ts * 1000), body);
  return { "webhook-id": id, "webhook-timestamp": String(ts), "webhook-signature": sig };
}
/** Reseller headers by this test's own HMAC (spec 9: key string as UTF-8, taskId.timestamp). */
function reseller(key: string, taskId = TASK, ts = TS) {
  const sig = createHmac("sha256", Buffer.from(key, "utf8")).update(`${taskId}.${ts}`).digest("base64");
  return { "X-Webhook-Timestamp": String(ts), "X-Webhook-Signature": sig };
}

describe("verifyCallback", () => {
  it.each(vectors.map((v, i) => [i, v] as const))(
    "accepts known-answer vector %i in both schemes",
    (_i, v) => {
      const now = Number(v.headers["webhook-timestamp"]) * 1000;
      const result = verifyCallback(v.headers, v.rawBody, v.webhookHmacKey, { now });
      expect(result).toMatchObject({
        ok: true,
        schemes: ["standard", "reseller"],
        bodyVerified: true,
        messageId: v.headers["webhook-id"],
        keyIndex: { standard: 0, reseller: 0 },
      });
      // Each scheme alone verifies too.
      const { "X-Webhook-Timestamp": _a, "X-Webhook-Signature": _b, ...std } = v.headers;
      expect(verifyCallback(std, v.rawBody, v.webhookHmacKey, { now })).toMatchObject({
        ok: true,
        schemes: ["standard"],
      });
      const res = { "X-Webhook-Timestamp": _a!, "X-Webhook-Signature": _b! };
      expect(verifyCallback(res, v.rawBody, v.webhookHmacKey, { now })).toMatchObject({
        ok: true,
        schemes: ["reseller"],
        bodyVerified: false,
        messageId: null,
      });
    },
  );

  it("accepts signatures made by the standardwebhooks package and by createHmac, as text or bytes, any header shape", () => {
    const headers = { ...standard(KEY), ...reseller(KEY) };
    for (const body of [BODY, Buffer.from(BODY), new Uint8Array(Buffer.from(BODY))]) {
      expect(verifyCallback(headers, body, KEY, { now: NOW }).ok).toBe(true);
    }
    expect(verifyCallback(new Headers(headers), BODY, [KEY], { now: new Date(NOW) }).ok).toBe(true);
    const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), [v]]));
    expect(verifyCallback(lower, BODY, KEY, { now: NOW }).ok).toBe(true);
  });

  it("accepts rotated keys: a signature list with both, and a verifier holding either or both", () => {
    const both = standard(KEY);
    both["webhook-signature"] = `${standard(KEY)["webhook-signature"]} ${standard(OLD)["webhook-signature"]}`;
    expect(verifyCallback(both, BODY, [OLD], { now: NOW })).toMatchObject({
      ok: true,
      keyIndex: { standard: 0 },
    });
    expect(verifyCallback(both, BODY, [KEY], { now: NOW }).ok).toBe(true);
    // The reseller header carries the new key only: a verifier listing old and new reports which one matched.
    const mixed = { ...both, ...reseller(KEY) };
    expect(verifyCallback(mixed, BODY, [OLD, KEY], { now: NOW })).toMatchObject({
      ok: true,
      keyIndex: { standard: 0, reseller: 1 },
    });
    // Every present scheme must verify: the old key alone fails the reseller header.
    expect(verifyCallback(mixed, BODY, [OLD], { now: NOW })).toMatchObject({
      ok: false,
      code: "signature_mismatch",
      scheme: "reseller",
    });
  });

  it("rejects forged callbacks: another key, a changed body, one good scheme with one bad", () => {
    const forged = { ...standard("whsec_Zm9yZ2VkLWtleS1mb3ItdGVzdHMtb25seS0zMmI="), ...reseller(KEY) };
    expect(verifyCallback(forged, BODY, KEY, { now: NOW })).toMatchObject({
      ok: false,
      code: "signature_mismatch",
      scheme: "standard",
    });
    const changed = BODY.replace("success", "failure");
    expect(verifyCallback({ ...standard(KEY), ...reseller(KEY) }, changed, KEY, { now: NOW })).toMatchObject({
      ok: false,
      code: "signature_mismatch",
    });
    expect(
      verifyCallback({ ...standard(KEY), ...reseller("whsec_other") }, BODY, KEY, { now: NOW }),
    ).toMatchObject({
      ok: false,
      scheme: "reseller",
    });
    // The documented limit of the reseller scheme: a changed body for the same task still passes it alone.
    expect(verifyCallback(reseller(KEY), changed, KEY, { now: NOW })).toMatchObject({
      ok: true,
      bodyVerified: false,
    });
  });

  it("rejects stale and future timestamps beyond the tolerance, in each scheme", () => {
    for (const headers of [standard(KEY), reseller(KEY)]) {
      expect(verifyCallback(headers, BODY, KEY, { now: NOW + 300_000 }).ok).toBe(true);
      expect(verifyCallback(headers, BODY, KEY, { now: NOW + 301_000 })).toMatchObject({
        ok: false,
        code: "timestamp_out_of_tolerance",
      });
      expect(verifyCallback(headers, BODY, KEY, { now: NOW - 301_000 }).ok).toBe(false);
      expect(verifyCallback(headers, BODY, KEY, { now: NOW + 3_000_000, toleranceS: 3600 }).ok).toBe(true);
    }
  });

  it("says what is missing or malformed", () => {
    expect(verifyCallback({}, BODY, KEY, { now: NOW })).toMatchObject({ ok: false, code: "no_signature" });
    expect(verifyCallback(standard(KEY), BODY, [], { now: NOW })).toMatchObject({
      ok: false,
      code: "no_keys",
    });
    const { "webhook-id": _, ...noId } = standard(KEY);
    expect(verifyCallback(noId, BODY, KEY, { now: NOW })).toMatchObject({
      code: "malformed_header",
      scheme: "standard",
    });
    expect(
      verifyCallback({ ...standard(KEY), "webhook-signature": "v2,abc" }, BODY, KEY, { now: NOW }),
    ).toMatchObject({
      code: "malformed_header",
    });
    expect(verifyCallback({ "X-Webhook-Signature": "abc" }, BODY, KEY, { now: NOW })).toMatchObject({
      code: "malformed_header",
      scheme: "reseller",
    });
    expect(verifyCallback(reseller(KEY), "{}", KEY, { now: NOW })).toMatchObject({ code: "task_id_missing" });
    expect(
      verifyCallback({ ...reseller(KEY), "X-Webhook-Timestamp": "soon" }, BODY, KEY, { now: NOW }),
    ).toMatchObject({
      code: "malformed_header",
    });
  });
});
