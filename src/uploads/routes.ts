import multipart from "@fastify/multipart";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyError, FastifyInstance, FastifyRequest } from "fastify";
import { answers, answerWanted, fromFastifyError, keyOf, sendError, settleAbort } from "../http/index.js";
import { HooklineError } from "../lib/errors.js";
import { checkDisk, checkQuota } from "../quota/index.js";
import type { Services } from "../services/index.js";
import { readUploadForm } from "./form.js";
import { ingest, type Stored } from "./ingest.js";
import { checkFileName, checkUploadPath } from "./names.js";
import { storeFromBase64, storeFromUrl } from "./sources.js";

/** Where an uploaded file goes: its folder and, optionally, its name. */
const target = { uploadPath: Type.String(), fileName: Type.Optional(Type.String()) };

/** The upload answer's `data` (spec 7.1, 11 #19, 13). */
const Uploaded = Type.Object({
  fileName: Type.String(),
  filePath: Type.String({
    description: "uploadPath/fileName: names the file in DELETE /api/v1/hookline/files/{filePath}",
  }),
  downloadUrl: Type.String({ description: "signed download URL, valid until the file expires (3 days)" }),
  fileUrl: Type.String({ description: "alias of downloadUrl" }),
  fileSize: Type.Integer({ description: "bytes" }),
  mimeType: Type.String(),
  uploadedAt: Type.String({ description: "ISO 8601" }),
  taskId: Type.Optional(Type.String({ description: "audio only: the music task of its source track" })),
  audioId: Type.Optional(
    Type.String({ description: "audio only: the source track's id, for WAV and cover" }),
  ),
});

const response = answers(Uploaded, "The file is stored", { upload: true, errors: [404, 413, 451] });
const tags = ["Uploads"];

/**
 * Refuses an upload before a byte of it is stored when the disk is at its floor or the key has no room for the
 * size it announces; `ingest` checks the quota again with the exact size.
 */
async function roomForUpload(services: Services, ownerId: string, expected: number): Promise<void> {
  checkDisk(services.disk, services.config.limits, expected);
  await checkQuota(services.store.db, services.config.limits, ownerId, expected);
}

/**
 * The three upload endpoints (spec 7.1). They add `success` to the envelope, on errors too, so they live in
 * their own encapsulated context with their own error handler.
 */
export function uploadRoutes(root: FastifyInstance, services: Services) {
  const { config } = services;
  const envelope = { dialect: config.codeDialect, mirror: config.httpStatusMirrorsCode };
  root.register(async (plain) => {
    const app = plain.withTypeProvider<TypeBoxTypeProvider>();
    await app.register(multipart, {
      limits: { fileSize: config.limits.uploadBytes + 1, files: 1, fields: 10, fieldSize: 4096 },
    });
    app.setErrorHandler((error: FastifyError, request, reply) => {
      if (settleAbort(request, error)) return; // the client is gone: nobody to answer (logged once, low)
      const mapped = fromFastifyError(error);
      if (mapped.code === "internal") request.log.error({ err: error }, "upload failed");
      return sendError(reply, mapped, envelope, { success: false });
    });
    const done = (data: unknown) => ({ success: true, code: 200, msg: "File uploaded successfully", data });
    /**
     * An upload whose file comes in the JSON body: the names are checked first, then the room for the size it
     * announces, so that a refused one costs no download and no decoding.
     */
    const fromBody = async (
      request: FastifyRequest & { body: { uploadPath: string; fileName?: string | undefined } },
      expected: number,
      store: () => Promise<Stored>,
    ) => {
      const key = keyOf(request);
      const uploadPath = checkUploadPath(request.body.uploadPath);
      const fileName = checkFileName(request.body.fileName);
      await roomForUpload(services, key.id, expected);
      return done(await ingest(services, await store(), { ownerId: key.id, uploadPath, fileName }));
    };

    app.post(
      "/api/file-url-upload",
      {
        config: { upload: true },
        schema: {
          summary: "Upload a file from a URL",
          body: Type.Object({
            fileUrl: Type.String({ maxLength: 4096 }),
            ...target,
          }),
          tags,
          response,
        },
      },
      (request, reply) =>
        fromBody(request, 0, () => storeFromUrl(services, request.body.fileUrl, answerWanted(reply))),
    );

    app.post(
      "/api/file-base64-upload",
      {
        config: { upload: true },
        bodyLimit: Math.ceil((config.limits.base64Bytes * 4) / 3) + 64 * 1024,
        schema: {
          summary: "Upload a base64-encoded file",
          body: Type.Object({
            base64Data: Type.String(),
            ...target,
          }),
          tags,
          response,
        },
      },
      (request) =>
        fromBody(request, Math.floor((request.body.base64Data.length * 3) / 4), () =>
          storeFromBase64(services, request.body.base64Data),
        ),
    );

    app.post(
      "/api/file-stream-upload",
      {
        config: { upload: true },
        schema: {
          summary: "Upload a file as multipart/form-data (fields: file, uploadPath, fileName?)",
          tags,
          response,
        },
      },
      async (request) => {
        const key = keyOf(request);
        if (!request.isMultipart())
          throw new HooklineError("bad_request", "Expected multipart/form-data with a file");
        await roomForUpload(services, key.id, Number(request.headers["content-length"]) || 0);
        const form = await readUploadForm(services, request.parts(), config.limits.uploadBytes);
        const { stored, uploadPath, fileName } = form;
        return done(await ingest(services, stored, { ownerId: key.id, uploadPath, fileName }));
      },
    );
  });
}
