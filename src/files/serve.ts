import { open } from "node:fs/promises";
import type { FastifyInstance, FastifyReply } from "fastify";
import type { Clock } from "../lib/clock.js";
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

/**
 * Registers GET and HEAD on `/files/:fileId/<fileName>`. There is no auth: the signature is the auth.
 * Answers real HTTP statuses with short text bodies (spec 13): 403 bad or missing signature, 410 URL
 * or file expired, 404 unknown or deleted, else 200 / 206 / 416 / 304. The name in the URL is ignored;
 * `Content-Disposition` uses the stored name. The file is streamed, never read whole.
 */
export function registerFileRoutes(app: FastifyInstance, deps: FileRouteDeps): void {
  app.route<FileRoute>({
    // HEAD is registered by hand: Fastify's generated HEAD route would read the whole stream to drop it.
    method: ["GET", "HEAD"],
    // The name is a wildcard, not a parameter: Fastify refuses parameters over 100 characters, and
    // an encoded non-ASCII name passes that easily. The name is not used, so its shape does not matter.
    url: "/files/:fileId/*",
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

      // Open first and size from the open handle: a concurrent delete cannot cut the answer short.
      let fh: Awaited<ReturnType<typeof open>>;
      try {
        fh = await open(deps.store.pathOf(meta.storageKey), "r");
      } catch (err) {
        request.log.warn({ err, fileId }, "file row without a readable blob");
        return plain(reply, 404, "file not found");
      }
      let size: number;
      try {
        size = (await fh.stat()).size;
      } catch (err) {
        await fh.close();
        request.log.error({ err, fileId }, "file stat failed");
        return plain(reply, 500, "internal error");
      }

      const etag = etagFor(meta.id, size);
      reply
        .header("content-type", safeContentType(meta.mimeType))
        .header("content-disposition", contentDisposition(meta.fileName))
        .header("accept-ranges", "bytes")
        .header("etag", etag)
        .header("cache-control", "private")
        .header("x-content-type-options", "nosniff")
        .header("content-security-policy", "default-src 'none'; sandbox");

      if (noneMatch(request.headers["if-none-match"], etag)) {
        await fh.close();
        return reply.code(304).send();
      }

      const ifRange = request.headers["if-range"];
      // Range is defined for GET only (RFC 9110 14.2); a stale If-Range validator means "send it all".
      const range =
        request.method === "GET" && (ifRange === undefined || ifRange === etag)
          ? parseRange(request.headers.range, size)
          : ({ kind: "full" } as const);

      if (range.kind === "unsatisfiable") {
        await fh.close();
        reply.header("content-range", `bytes */${size}`);
        return plain(reply, 416, "requested range not satisfiable");
      }
      const start = range.kind === "partial" ? range.start : 0;
      const end = range.kind === "partial" ? range.end : size - 1;
      const length = end - start + 1;
      if (range.kind === "partial") reply.code(206).header("content-range", `bytes ${start}-${end}/${size}`);
      reply.header("content-length", String(length));

      if (request.method === "HEAD" || length === 0) {
        await fh.close();
        // Fastify keeps our Content-Length on HEAD; for an empty GET it is 0 anyway.
        return reply.send(request.method === "HEAD" ? undefined : Buffer.alloc(0));
      }
      return reply.send(fh.createReadStream({ start, end }));
    },
  });
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
