/**
 * A real S3-protocol server for tests: s3rver on 127.0.0.1, port 0, storing in a temp folder, with a fresh bucket
 * and the `HOOKLINE_S3_*` settings that point Hookline at it.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateBucketCommand, type S3Client } from "@aws-sdk/client-s3";
import S3rver, { type S3rverMiddleware } from "s3rver";
import { loadConfig, type S3Settings } from "../../src/config/index.js";
import { createS3Client } from "../../src/files/s3-store.js";

export interface TestS3 {
  readonly endpoint: string;
  readonly bucket: string;
  /** The settings for Hookline (`HOOKLINE_S3_*`), path-style, with s3rver's fixed credentials. */
  readonly env: Record<string, string>;
  /** A client of the bucket for the test's own looks (destroyed by `close`). */
  readonly client: S3Client;
  /** Stops the server (its open connections too) and removes its folder; calling it again does nothing. */
  close(): Promise<void>;
}

/** The store settings of a test server, as Hookline reads them from its `env`. */
export function s3Settings(s3: Pick<TestS3, "env">): S3Settings {
  const settings = loadConfig(s3.env).s3;
  if (settings === null) throw new Error("the S3 settings did not select S3");
  return settings;
}

/** Starts s3rver with a fresh bucket. */
export async function startS3(): Promise<TestS3> {
  const directory = await mkdtemp(join(tmpdir(), "hookline-s3-"));
  const server = new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory });
  server.middleware.unshift(multipartExtras(directory));
  // After its XML encoder (index 1 once the line above ran), before its routes: answers are still objects there.
  server.middleware.splice(2, 0, listV2WithoutDes);
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const bucket = `hookline-${randomBytes(4).toString("hex")}`;
  const env = {
    HOOKLINE_S3_BUCKET: bucket,
    HOOKLINE_S3_ENDPOINT: endpoint,
    HOOKLINE_S3_REGION: "us-east-1",
    HOOKLINE_S3_ACCESS_KEY_ID: "S3RVER",
    HOOKLINE_S3_SECRET_ACCESS_KEY: "S3RVER",
    HOOKLINE_S3_FORCE_PATH_STYLE: "on",
  };
  const client = createS3Client(s3Settings({ env }), 10_000);
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  let closed = false;
  return {
    endpoint,
    bucket,
    env,
    client,
    async close() {
      if (closed) return;
      closed = true;
      client.destroy();
      const stopped = server.close();
      server.httpServer.closeAllConnections();
      await stopped;
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/**
 * s3rver 3.7.1 answers AbortMultipartUpload with 405 and ListMultipartUploads with 501, so a failed multipart
 * upload could neither be cleaned up nor seen. This adds both, over its own folder layout
 * (`<dir>/<bucket>/._S3rver_uploads/<uploadId>/`), in front of its routes; signatures are not checked for them.
 */
function multipartExtras(directory: string): S3rverMiddleware {
  const UPLOAD_ID = /^[0-9a-f]{32}$/;
  const uploadsOf = (bucket: string) => join(directory, bucket, "._S3rver_uploads");
  return async (ctx, next) => {
    const [bucket = "", ...rest] = ctx.path.split("/").filter((part) => part !== "");
    const uploadId = ctx.query.uploadId;
    if (
      ctx.method === "DELETE" &&
      rest.length > 0 &&
      typeof uploadId === "string" &&
      UPLOAD_ID.test(uploadId)
    ) {
      await rm(join(uploadsOf(bucket), uploadId), { recursive: true, force: true });
      ctx.status = 204;
      return;
    }
    if (ctx.method === "GET" && rest.length === 0 && bucket !== "" && "uploads" in ctx.query) {
      const ids = await readdir(uploadsOf(bucket)).catch(() => []);
      const uploads = ids.map((id) => `<Upload><UploadId>${id}</UploadId></Upload>`).join("");
      ctx.type = "application/xml";
      ctx.body = `<?xml version="1.0" encoding="UTF-8"?><ListMultipartUploadsResult><Bucket>${bucket}</Bucket><IsTruncated>false</IsTruncated>${uploads}</ListMultipartUploadsResult>`;
      return;
    }
    await next();
  };
}

/**
 * s3rver 3.7.1 answers a truncated ListObjectsV2 with 500: its continuation token is DES-encrypted, and Node 17+
 * (OpenSSL 3) has no DES without the legacy provider. Hookline lists with StartAfter and never sends a token,
 * so such a request is served as a ListObjects (v1) with `marker` (the same walk, no token) and answered in v2's
 * shape.
 */
const listV2WithoutDes: S3rverMiddleware = async (ctx, next) => {
  const q = ctx.query;
  if (ctx.method !== "GET" || q["list-type"] !== "2" || "continuation-token" in q) return next();
  const { "list-type": _, "start-after": startAfter, ...rest } = q;
  ctx.query = { ...rest, ...(startAfter === undefined ? {} : { marker: startAfter }) };
  await next();
  const body = ctx.body;
  if (typeof body !== "object" || body === null || !("ListBucketResult" in body)) return;
  const result = body.ListBucketResult;
  if (typeof result !== "object" || result === null) return;
  const contents = "Contents" in result ? result.Contents : undefined;
  ctx.body = {
    ListBucketResult: {
      ...result,
      Marker: undefined,
      StartAfter: startAfter,
      KeyCount: Array.isArray(contents) ? contents.length : contents === undefined ? 0 : 1,
    },
  };
};
