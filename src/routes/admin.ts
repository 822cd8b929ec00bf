import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { endSessionsOfKey } from "../console/index.js";
import { answers, Nullable, sendOk } from "../http/index.js";
import {
  createKey,
  getKey,
  type KeyInfo,
  listKeys,
  MAX_NAME_LENGTH,
  renameKey,
  revokeKey,
  rotateWebhookKey,
  setBalance,
  setHmac,
  setRateLimit,
  setSimulation,
} from "../keys/index.js";
import type { Services } from "../services/index.js";
import { formatSimulation, parseSimulation } from "../simulation/index.js";

const keyIdParams = Type.Object({ keyId: Type.String() });
const name = Type.String({ minLength: 1, maxLength: MAX_NAME_LENGTH });
const credits = Type.Integer({ minimum: 0 });
const admin = { admin: true } as const;
const tags = ["Admin"];

/** A key as the admin API shows it (keyView). */
const KeyView = Type.Object({
  keyId: Type.String(),
  name: Type.String(),
  hint: Type.String({ description: "the API key's last characters" }),
  createTime: Type.String(),
  revokeTime: Nullable(Type.String()),
  hmacEnabled: Type.Boolean({ description: "whether callbacks carry the reseller X-Webhook-* headers" }),
  credits: Nullable(Type.Integer({ description: "null: unlimited" })),
  simulate: Nullable(Type.String({ description: "the key's standing failure simulation" })),
  rateLimit: Nullable(
    Type.Integer({ description: "requests per minute; null: the server's default; 0: none" }),
  ),
  webhookKeyRotatedUntil: Nullable(
    Type.String({ description: "until when the previous webhook key also signs" }),
  ),
});
const OneKey = Type.Object({ key: KeyView });
const Secrets = {
  webhookHmacKey: Type.String({ description: "whsec_…: verifies the callbacks; shown only in this answer" }),
};

/** A key as the operator's console shows it: never a secret. */
function keyView(key: KeyInfo, now: number) {
  const until = key.previousKeyValidUntil;
  return {
    keyId: key.id,
    name: key.name,
    hint: key.hint,
    createTime: key.createdAt,
    revokeTime: key.revokedAt,
    hmacEnabled: key.hmacEnabled,
    credits: key.credits,
    simulate: key.simulate,
    rateLimit: key.rateLimit,
    webhookKeyRotatedUntil: until !== null && Date.parse(until) > now ? until : null,
  };
}

/** The operator's API over the keys (the console's Keys page): `config.admin`, so the admin token or an operator. */
export function adminRoutes(fastify: FastifyInstance, services: Services) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { store, clock } = services;
  const view = (key: KeyInfo) => keyView(key, clock.now());

  app.get(
    "/api/v1/hookline/admin/keys",
    {
      config: admin,
      schema: {
        summary: "Every API key, newest first (no secrets)",
        tags,
        response: answers(Type.Object({ keys: Type.Array(KeyView) }), "The keys"),
      },
    },
    async (_request, reply) => {
      const keys = await listKeys(store);
      return sendOk(reply, { keys: keys.reverse().map(view) });
    },
  );

  app.post(
    "/api/v1/hookline/admin/keys",
    {
      config: admin,
      schema: {
        summary: "Create an API key; its secrets are in this answer only",
        tags,
        body: Type.Object({
          name,
          credits: Type.Optional(credits),
          hmacEnabled: Type.Optional(Type.Boolean()),
        }),
        response: answers(
          Type.Object({
            key: KeyView,
            apiKey: Type.String({ description: "hk_…: shown only in this answer" }),
            ...Secrets,
          }),
          "The new key and its secrets",
          { errors: [409] },
        ),
      },
    },
    async (request, reply) => {
      const { name, credits, hmacEnabled } = request.body;
      const created = await createKey(store, clock, { name, credits: credits ?? null, hmacEnabled });
      const { apiKey, webhookHmacKey, ...key } = created;
      return sendOk(reply, { key: view(key), apiKey, webhookHmacKey });
    },
  );

  app.patch(
    "/api/v1/hookline/admin/keys/:keyId",
    {
      config: admin,
      schema: {
        summary: "Change a key's name, HMAC headers, balance, failure simulation or rate limit",
        tags,
        params: keyIdParams,
        body: Type.Object({
          name: Type.Optional(name),
          hmacEnabled: Type.Optional(Type.Boolean()),
          // Null: unlimited (credits), off (simulate), the server's default (rateLimit; 0 is no limit).
          credits: Type.Optional(Type.Union([credits, Type.Null()])),
          simulate: Type.Optional(Type.Union([Type.String(), Type.Null()])),
          rateLimit: Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.Null()])),
        }),
        response: answers(OneKey, "The key as changed", { errors: [404, 409] }),
      },
    },
    async (request, reply) => {
      const ref = { id: request.params.keyId };
      const body = request.body;
      // Everything is checked before anything is written: a bad simulation or an unknown key changes nothing.
      const simulation = typeof body.simulate === "string" ? parseSimulation(body.simulate) : null;
      const key = await getKey(store, ref);
      if (body.name !== undefined && body.name !== key.name) await renameKey(store, ref, body.name);
      if (body.hmacEnabled !== undefined) await setHmac(store, ref, body.hmacEnabled);
      if (body.credits !== undefined) await setBalance(store.db, key.id, body.credits);
      if (body.simulate !== undefined)
        await setSimulation(store, ref, simulation ? formatSimulation(simulation) : null);
      if (body.rateLimit !== undefined) await setRateLimit(store, ref, body.rateLimit);
      return sendOk(reply, { key: view(await getKey(store, ref)) });
    },
  );

  app.post(
    "/api/v1/hookline/admin/keys/:keyId/revoke",
    {
      config: admin,
      schema: {
        summary: "Revoke a key: refused from the next request on",
        tags,
        params: keyIdParams,
        response: answers(OneKey, "The revoked key", { errors: [404] }),
      },
    },
    async (request, reply) => {
      const key = await revokeKey(store, clock, { id: request.params.keyId });
      // The key's console sessions are refused already (they need a live key); this removes them.
      await endSessionsOfKey(store.db, key.id);
      return sendOk(reply, { key: view(key) });
    },
  );

  app.post(
    "/api/v1/hookline/admin/keys/:keyId/rotate-webhook-key",
    {
      config: admin,
      schema: {
        summary: "A new webhook key; the old one also signs callbacks for the rotation grace period",
        tags,
        params: keyIdParams,
        response: answers(Type.Object({ key: KeyView, ...Secrets }), "The new webhook key", {
          errors: [404],
        }),
      },
    },
    async (request, reply) => {
      const ref = { id: request.params.keyId };
      const grace = services.config.delivery.rotationGraceMs;
      const { webhookHmacKey } = await rotateWebhookKey(store, clock, ref, grace);
      return sendOk(reply, { key: view(await getKey(store, ref)), webhookHmacKey });
    },
  );
}
