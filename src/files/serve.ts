import type { Readable } from "node:stream";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Clock } from "../lib/clock.js";
import { HooklineError } from "../lib/errors.js";
import type { BlobStore } from "./blob-store.js";
import { contentDisposition, etagFor, noneMatch, safeContentType } from "./headers.js";
import { parseRange } from "./range.js";
import type { UrlSigner } from "./url-signer.js";

/** What the file server needs to know about a file; the database rows behind it belong to the caller. */
export interface FileMeta {
  id: string;
  storageKey: string;
  fileName: string;
  mimeType: string;
  size: number;
  expiresAtMs: number | null;
  deletedAtMs: number | null;
  /** Retention removed it. */
  expired: boolean;
}

/** The collaborators of the file route. */
export interface FileRouteDeps {
  lookup(fileId: string): Promise<FileMeta | null>;
  store: BlobStore;
  signer: UrlSigner;
  clock: Clock;
}

interface FileRoute {
  Params: { fileId: string; "*": string };
  Querystring: Record<string, string | string[] | undefined>;
}

const text = (description: string) => ({
  description,
  content: { "text/plain": { schema: { type: "string" } } },
});

/** The file route in the reference: real HTTP statuses, the file's bytes or a short text (spec 13). */
const FILE_ROUTE_SCHEMA = {
  summary: "Download a file by its signed link",
  description:
    "The links Hookline hands out (uploads, WAVs, covers, download-url) point here: `/files/{fileId}/{name}?expires=<unix s>&signature=<hmac>`. No key: the signature is the auth. Supports Range, If-Range and If-None-Match.",
  tags: ["Files"],
  response: {
    200: {
      description: "The file (its stored MIME type; Content-Disposition names it)",
      content: { "application/octet-stream": { schema: { type: "string", format: "binary" } } },
    },
    206: {
      description: "The requested range",
      content: { "application/octet-stream": { schema: { type: "string", format: "binary" } } },
    },
    304: { description: "Not modified (If-None-Match)", type: "null" },
    307: { description: "Redirect to the bucket (S3 with presigned downloads on)", type: "null" },
    403: text("Bad or missing signature"),
    404: text("Unknown or deleted file"),
    410: text("The link or the file has expired"),
    416: text("Range not satisfiable"),
    500: text("Storage error"),
  },
};

/**
 * Registers GET and HEAD on `/files/:fileId/<fileName>`. There is no auth: the signature is the auth.
 * Answers real HTTP statuses with short text bodies (spec 13): 403 bad or missing signature, 410 URL
 * or file expired, 404 unknown or deleted, else 200 / 206 / 416 / 304. The name in the URL is ignored;
 * `Content-Disposition` uses the stored name. The file is streamed, never read whole. With presigned downloads on
 * (S3), a GET that passes these checks is redirected (307) to the bucket instead; HEAD is still answered here.
 */
export function registerFileRoutes(app: FastifyInstance, deps: FileRouteDeps): void {
  app.route<FileRoute>({
    // HEAD is registered by hand: Fastify's generated HEAD route would read the whole stream to drop it.
    method: ["GET", "HEAD"],
    // The name is a wildcard, not a parameter: Fastify refuses parameters over 100 characters, and
    // an encoded non-ASCII name passes that easily. The name is not used, so its shape does not matter.
    url: "/files/:fileId/*",
    schema: FILE_ROUTE_SCHEMA,
    handler: async (request, reply) => {
      const { fileId } = request.params;
      const now = deps.clock.now();
      // The signature is checked before any lookup, so a forger learns nothing about which ids exist.
      const verdict = deps.signer.check(
        fileId,
        single(request.query.expires),
        single(request.query.signature),
        now,
      );
      if (verdict === "bad_signature") return plain(reply, 403, "invalid or missing signature");
      if (verdict === "expired") return plain(reply, 410, "this download link has expired");

      let meta: FileMeta | null;
      try {
        meta = await deps.lookup(fileId);
      } catch (err) {
        request.log.error({ err, fileId }, "file lookup failed");
        return plain(reply, 500, "internal error");
      }
      if (meta === null || meta.deletedAtMs !== null) return plain(reply, 404, "file not found");
      if (meta.expired || (meta.expiresAtMs !== null && now >= meta.expiresAtMs)) {
        return plain(reply, 410, "this file has expired and was removed");
      }

      if (request.method === "GET") {
        const redirect = await presigned(deps, meta, Number(single(request.query.expires)) * 1000, now).catch(
          (err: unknown) => {
            request.log.error({ err, fileId }, "could not presign a download");
            return null;
          },
        );
        if (redirect !== null)
          return reply.code(307).header("location", redirect).header("cache-control", "no-store").send();
      }

      let size: number;
      try {
        const found = await deps.store.stat(meta.storageKey);
        if (found === null) {
          request.log.warn({ fileId }, "file row without a stored blob");
          return plain(reply, 404, "file not found");
        }
        size = found.size;
      } catch (err) {
        return trouble(request, reply, err, fileId);
      }

      const etag = etagFor(meta.id, size);
      const headers = {
        "content-type": safeContentType(meta.mimeType),
        "content-disposition": contentDisposition(meta.fileName),
        "accept-ranges": "bytes",
        etag,
        "cache-control": "private",
        "x-content-type-options": "nosniff",
        "content-security-policy": "default-src 'none'; sandbox",
      };
      if (noneMatch(request.headers["if-none-match"], etag)) return reply.headers(headers).code(304).send();

      const ifRange = request.headers["if-range"];
      // Range is defined for GET only (RFC 9110 14.2); a stale If-Range validator means "send it all".
      const range =
        request.method === "GET" && (ifRange === undefined || ifRange === etag)
          ? parseRange(request.headers.range, size)
          : ({ kind: "full" } as const);

      if (range.kind === "unsatisfiable") {
        reply.headers(headers).header("content-range", `bytes */${size}`);
        return plain(reply, 416, "requested range not satisfiable");
      }
      const start = range.kind === "partial" ? range.start : 0;
      const end = range.kind === "partial" ? range.end : size - 1;
      const length = end - start + 1;

      let body: Readable | Buffer | undefined;
      if (request.method === "HEAD") body = undefined;
      else if (length === 0) body = Buffer.alloc(0);
      else {
        // The stream is opened before any header is set: a blob removed since the stat still answers a clean 404.
        try {
          body = await deps.store.read(meta.storageKey, { start, end });
        } catch (err) {
          return trouble(request, reply, err, fileId);
        }
      }
      reply.headers(headers);
      if (range.kind === "partial") reply.code(206).header("content-range", `bytes ${start}-${end}/${size}`);
      // Fastify keeps our Content-Length on HEAD; for an empty GET it is 0 anyway.
      reply.header("content-length", String(length));
      return reply.send(body);
    },
  });
}

/** The longest a presigned download link lives, whatever the Hookline link says. */
const PRESIGN_MAX_S = 3600;

/**
 * A presigned URL of the blob when the store makes them, expiring no later than the Hookline link, the file and
 * an hour from now (S3 fixes the headers the download answers with from the query); null to serve it here.
 */
async function presigned(deps: FileRouteDeps, meta: FileMeta, linkExpiresMs: number, now: number) {
  const until = Math.min(linkExpiresMs, meta.expiresAtMs ?? Number.POSITIVE_INFINITY);
  const expiresInS = Math.min(PRESIGN_MAX_S, Math.floor((until - now) / 1000));
  // Under a second left: not worth a redirect that would expire on the way.
  if (!(expiresInS >= 1)) return null;
  return deps.store.presign(meta.storageKey, {
    expiresInS,
    contentDisposition: contentDisposition(meta.fileName),
    contentType: safeContentType(meta.mimeType),
  });
}

/** A blob that could not be read: gone since (404), or storage trouble (503, logged by the store), or a bug (500). */
function trouble(request: FastifyRequest, reply: FastifyReply, err: unknown, fileId: string): FastifyReply {
  if (err instanceof HooklineError && err.code === "not_found") {
    request.log.warn({ fileId }, "file row without a stored blob");
    return plain(reply, 404, "file not found");
  }
  if (err instanceof HooklineError && err.code === "unavailable") {
    return plain(reply.header("retry-after", "30"), 503, "file storage is unavailable, try again later");
  }
  request.log.error({ err, fileId }, "file read failed");
  return plain(reply, 500, "internal error");
}

function single(value: string | string[] | undefined): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function plain(reply: FastifyReply, status: number, text: string): FastifyReply {
  return reply
    .code(status)
    .header("content-type", "text/plain; charset=utf-8")
    .header("cache-control", "no-store")
    .header("x-content-type-options", "nosniff")
    .send(`${text}\n`);
}
