import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import { creditBalance } from "../credits/index.js";
import { fileMeta, getFile, isLive, registerFileRoutes } from "../files/index.js";
import { answers, keyOf, sendOk } from "../http/index.js";
import { HooklineError } from "../lib/errors.js";
import type { Services } from "../services/index.js";

/** Credits when a key has no balance set: unlimited, shown as the spec's 999999999 (spec 13). */
const UNLIMITED = 999_999_999;

/** Health, credits, signed file downloads and kie's download-url (spec 7.2, 7.3, 13). */
export function commonRoutes(fastify: FastifyInstance, services: Services) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { store, clock } = services;

  app.get(
    "/healthz",
    {
      config: { public: true },
      schema: {
        summary: "Liveness",
        tags: ["Health"],
        response: {
          200: Type.Object({ status: Type.Literal("ok") }, { description: "The process answers" }),
        },
      },
    },
    async () => ({ status: "ok" as const }),
  );
  app.get(
    "/readyz",
    {
      config: { public: true },
      schema: {
        summary: "Readiness: database reachable, ffmpeg found",
        tags: ["Health"],
        response: {
          200: Type.Object(
            {
              status: Type.Literal("ready"),
              database: Type.String({ description: "sqlite or postgres" }),
              ffmpeg: Type.String({ description: "the ffmpeg version found" }),
            },
            { description: "Ready to serve" },
          ),
          503: Type.Object(
            { status: Type.Literal("unavailable"), error: Type.String() },
            { description: "The database does not answer" },
          ),
        },
      },
    },
    async (_req, reply) => {
      try {
        await sql`select 1`.execute(store.db);
        return { status: "ready" as const, database: store.dialect, ffmpeg: services.ffmpeg.version };
      } catch (error) {
        return reply.code(503).send({ status: "unavailable", error: (error as Error).message });
      }
    },
  );

  for (const path of ["/api/v1/generate/credit", "/api/v1/chat/credit"]) {
    const schema = {
      summary: "Remaining credits",
      tags: ["Credits"],
      response: answers(
        Type.Integer({ description: `the key's balance; ${UNLIMITED} when it has none set (unlimited)` }),
        "The balance",
      ),
    };
    app.get(path, { schema }, async (request, reply) => {
      // Read fresh, not from the authenticated key: submissions debit the balance after it was read.
      const balance = await creditBalance(store.db, keyOf(request).id);
      return sendOk(reply, balance === null ? UNLIMITED : balance);
    });
  }

  app.post(
    "/api/v1/common/download-url",
    {
      schema: {
        summary: "A temporary download link for a URL Hookline produced",
        tags: ["Files"],
        body: Type.Object({ url: Type.String({ maxLength: 4096 }) }),
        response: answers(
          Type.String({
            description:
              "a signed download URL, valid HOOKLINE_DOWNLOAD_URL_MINUTES at most (and never past the file's expiry)",
          }),
          "The link",
          { errors: [404] },
        ),
      },
    },
    async (request, reply) => {
      const key = keyOf(request);
      const parsed = services.signer.parse(request.body.url);
      const file = parsed ? await getFile(store.db, parsed.fileId) : undefined;
      if (!parsed || !file || file.owner_id !== key.id) {
        throw new HooklineError("bad_request", "The URL was not produced by this service for this key");
      }
      const now = clock.now();
      if (!isLive(file, now)) throw new HooklineError("not_found", "The file has expired");
      const until = Math.min(
        now + services.config.retention.downloadUrlMs,
        Number(file.expires_at ?? Infinity),
      );
      return sendOk(reply, services.signer.sign(file.id, file.file_name, until));
    },
  );

  registerFileRoutes(app, {
    store: services.blobs,
    signer: services.signer,
    clock,
    lookup: async (fileId) => {
      const file = await getFile(store.db, fileId);
      return file ? fileMeta(file) : null;
    },
  });
}
