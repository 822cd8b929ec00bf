import multipart from "@fastify/multipart";
import { Type } from "@sinclair/typebox";
import type { FastifyError, FastifyInstance } from "fastify";
import type { Services } from "../app/services.js";
import { fromFastifyError, keyOf, sendError, settleAbort } from "../http/index.js";
import { HooklineError } from "../lib/errors.js";
import { ingest, type Stored } from "./ingest.js";
import { checkUploadPath } from "./names.js";
import { storeFromBase64, storeFromUrl } from "./sources.js";

const response = {
  200: Type.Object({ success: Type.Boolean(), code: Type.Integer(), msg: Type.String(), data: Type.Any() }),
};

/**
 * The three upload endpoints (spec 7.1). They add `success` to the envelope, on errors too, so they live in
 * their own encapsulated context with their own error handler.
 */
export function uploadRoutes(root: FastifyInstance, services: Services) {
  const { config } = services;
  const envelope = { dialect: config.codeDialect, mirror: config.httpStatusMirrorsCode };
  root.register(async (app) => {
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

    app.post(
      "/api/file-url-upload",
      {
        config: { upload: true },
        schema: {
          summary: "Upload a file from a URL",
          body: Type.Object({
            fileUrl: Type.String({ maxLength: 4096 }),
            uploadPath: Type.String(),
            fileName: Type.Optional(Type.String()),
          }),
          response,
        },
      },
      async (request) => {
        const key = keyOf(request);
        const body = request.body as { fileUrl: string; uploadPath: string; fileName?: string };
        const uploadPath = checkUploadPath(body.uploadPath);
        const stored = await storeFromUrl(services, body.fileUrl);
        return done(await ingest(services, stored, { ownerId: key.id, uploadPath, fileName: body.fileName }));
      },
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
            uploadPath: Type.String(),
            fileName: Type.Optional(Type.String()),
          }),
          response,
        },
      },
      async (request) => {
        const key = keyOf(request);
        const body = request.body as { base64Data: string; uploadPath: string; fileName?: string };
        const uploadPath = checkUploadPath(body.uploadPath);
        const stored = await storeFromBase64(services, body.base64Data);
        return done(await ingest(services, stored, { ownerId: key.id, uploadPath, fileName: body.fileName }));
      },
    );

    app.post(
      "/api/file-stream-upload",
      {
        config: { upload: true },
        schema: {
          summary: "Upload a file as multipart/form-data (fields: file, uploadPath, fileName?)",
          response,
        },
      },
      async (request) => {
        const key = keyOf(request);
        if (!request.isMultipart())
          throw new HooklineError("bad_request", "Expected multipart/form-data with a file");
        const fields: Record<string, string> = {};
        let stored: Stored | null = null;
        for await (const part of request.parts()) {
          if (part.type === "file") {
            if (part.fieldname !== "file" || stored) {
              part.file.resume();
              continue;
            }
            const res = await services.blobs.writeStream(part.file, { maxBytes: config.limits.uploadBytes });
            stored = { ...res, nameHint: part.filename || null };
          } else if (typeof part.value === "string") {
            fields[part.fieldname] = part.value;
          }
        }
        if (!stored) throw new HooklineError("bad_request", "file is required");
        try {
          const uploadPath = checkUploadPath(fields.uploadPath);
          return done(
            await ingest(services, stored, { ownerId: key.id, uploadPath, fileName: fields.fileName }),
          );
        } catch (error) {
          await services.blobs.delete(stored.key);
          throw error;
        }
      },
    );
  });
}
