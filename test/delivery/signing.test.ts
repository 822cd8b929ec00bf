import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { Webhook } from "standardwebhooks";
import { afterEach, describe, expect, it } from "vitest";
import {
  resellerSignature,
  signatureHeaders,
  standardSignature,
  webhookSecretBytes,
} from "../../src/delivery/index.js";
import { rotateWebhookKey, setHmac } from "../../src/keys/index.js";
import { dialects } from "../helpers/db.js";
import { type Receiver, startReceiver } from "../helpers/receiver.js";
import { openRig, queueCallback, type Rig } from "./rig.js";

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

/** Our own HMACs, written from the spec text, not with the code under test. */
const ownReseller = (key: string, taskId: string, ts: string) =>
  createHmac("sha256", Buffer.from(key, "utf8")).update(`${taskId}.${ts}`).digest("base64");
const ownStandard = (key: string, id: string, ts: string, body: string) =>
  `v1,${createHmac("sha256", Buffer.from(key.slice("whsec_".length), "base64"))
    .update(`${id}.${ts}.${body}`)
    .digest("base64")}`;

describe("signatures: known-answer vectors", () => {
  it.each(vectors.map((v) => [v.taskId, v] as const))("reproduces case %s exactly", (_id, v) => {
    const ts = Number(v.headers["X-Webhook-Timestamp"]);
    const id = v.headers["webhook-id"]!;
    expect(resellerSignature(v.webhookHmacKey, v.taskId, ts)).toBe(v.headers["X-Webhook-Signature"]);
    expect(standardSignature(v.webhookHmacKey, id, ts, v.rawBody)).toBe(v.headers["webhook-signature"]);
    const all = signatureHeaders(
      { current: v.webhookHmacKey, previous: null, hmacEnabled: true },
      id,
      v.taskId,
      v.rawBody,
      ts,
    );
    expect(all).toEqual(
      Object.fromEntries(Object.entries(v.headers).map(([k, val]) => [k.toLowerCase(), val])),
    );
    // Two independent implementations agree with the vectors.
    expect(ownReseller(v.webhookHmacKey, v.taskId, String(ts))).toBe(v.headers["X-Webhook-Signature"]);
    expect(ownStandard(v.webhookHmacKey, id, String(ts), v.rawBody)).toBe(v.headers["webhook-signature"]);
    expect(new Webhook(v.webhookHmacKey).sign(id, new Date(ts * 1000), v.rawBody)).toBe(
      v.headers["webhook-signature"],
    );
    expect(webhookSecretBytes(v.webhookHmacKey)).toHaveLength(32);
  });

  it("signs with both keys during a rotation and leaves out X-Webhook-* when HMAC is off", () => {
    const v = vectors[0]!;
    const other = `whsec_${Buffer.alloc(32, 7).toString("base64")}`;
    const h = signatureHeaders(
      { current: other, previous: v.webhookHmacKey, hmacEnabled: false },
      "msg_x",
      v.taskId,
      v.rawBody,
      1_763_800_000,
    );
    expect(h["webhook-signature"]!.split(" ")).toEqual([
      ownStandard(other, "msg_x", "1763800000", v.rawBody),
      ownStandard(v.webhookHmacKey, "msg_x", "1763800000", v.rawBody),
    ]);
    expect(Object.keys(h).sort()).toEqual(["webhook-id", "webhook-signature", "webhook-timestamp"]);
  });
});

describe.each(dialects())("signatures on real callbacks on %s", (dialect) => {
  let rig: Rig | null = null;
  let receiver: Receiver | null = null;
  afterEach(async () => {
    await receiver?.close();
    await rig?.close();
    receiver = null;
    rig = null;
  });

  async function capture() {
    rig ??= await openRig(dialect);
    receiver ??= await startReceiver((_req, res) => res.end("ok"));
    const sent = await queueCallback(rig, `${receiver.origin}/cb`);
    expect(await rig.sender.runOnce()).toBe(1);
    const got = receiver.requests.at(-1)!;
    const headers = Object.fromEntries(
      Object.entries(got.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : (v ?? "")]),
    );
    return { ...sent, got, headers };
  }

  it("a captured callback passes the standardwebhooks verifier and our own HMAC checks", async () => {
    const { got, headers, taskId, messageId, body } = await capture();
    const key = rig!.key.webhookHmacKey;
    expect(got.body).toBe(body);
    expect(headers["webhook-id"]).toBe(messageId);
    expect(headers["content-type"]).toBe("application/json");
    expect(new Webhook(key).verify(got.body, headers)).toEqual(JSON.parse(body));
    const ts = headers["webhook-timestamp"]!;
    expect(headers["x-webhook-timestamp"]).toBe(ts);
    expect(Number(ts)).toBe(Math.floor(rig!.clock.now() / 1000));
    expect(headers["x-webhook-signature"]).toBe(ownReseller(key, taskId, ts));
    expect(headers["webhook-signature"]).toBe(ownStandard(key, messageId, ts, got.body));
    // A changed body no longer verifies.
    expect(() => new Webhook(key).verify(got.body.replace("success", "failure"), headers)).toThrow();
  });

  it("during a rotation the callback carries both signatures; either key verifies it", async () => {
    rig = await openRig(dialect);
    const oldKey = rig.key.webhookHmacKey;
    const rotated = await rotateWebhookKey(rig.store, rig.clock, rig.key.id, 3600_000);
    const newKey = rotated.webhookHmacKey;
    expect(newKey).not.toBe(oldKey);
    const { got, headers, taskId } = await capture();
    const ts = headers["webhook-timestamp"]!;
    const sigs = headers["webhook-signature"]!.split(" ");
    expect(sigs).toEqual([
      ownStandard(newKey, headers["webhook-id"]!, ts, got.body),
      ownStandard(oldKey, headers["webhook-id"]!, ts, got.body),
    ]);
    expect(new Webhook(newKey).verify(got.body, headers)).toBeTruthy();
    expect(new Webhook(oldKey).verify(got.body, headers)).toBeTruthy();
    const stranger = `whsec_${Buffer.alloc(32, 1).toString("base64")}`;
    expect(() => new Webhook(stranger).verify(got.body, headers)).toThrow();
    // The reseller header is signed with the current key only.
    expect(headers["x-webhook-signature"]).toBe(ownReseller(newKey, taskId, ts));

    // After the grace period only the new key signs.
    rig.clock.advance(3600_000 + 1);
    const later = await capture();
    expect(later.headers["webhook-signature"]).toBe(
      ownStandard(newKey, later.messageId, later.headers["webhook-timestamp"]!, later.got.body),
    );
  });

  it("with HMAC off there are no X-Webhook-* headers, but webhook-* are still sent and verify", async () => {
    rig = await openRig(dialect);
    await setHmac(rig.store, rig.key.id, false);
    const { got, headers } = await capture();
    expect(Object.keys(headers).filter((k) => k.startsWith("x-webhook"))).toEqual([]);
    expect(headers["webhook-id"]).toMatch(/^msg_/);
    expect(new Webhook(rig.key.webhookHmacKey).verify(got.body, headers)).toBeTruthy();
    await setHmac(rig.store, rig.key.id, true);
    const again = await capture();
    expect(again.headers["x-webhook-signature"]).toBe(
      ownReseller(rig.key.webhookHmacKey, again.taskId, again.headers["x-webhook-timestamp"]!),
    );
  });
});
