import { createReadStream, createWriteStream } from "node:fs";
import { rm, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { ConfigError, type S3Settings } from "../config/index.js";
import { HooklineError } from "../lib/errors.js";
import type { Logger } from "../lib/logger.js";
import { type BlobStore, checkKey, newBlobKey } from "./blob-store.js";
import { HeadKeeper, openScratch, tooLarge } from "./scratch.js";

export interface S3StoreOptions {
  /** The local folder whose `tmp/` is the scratch area (the server passes `<dataDir>/files`, as for local disk). */
  readonly scratchRoot: string;
  readonly s3: S3Settings;
  readonly log: Logger;
  /**
   * Deadline of one call that answers with metadata (HEAD, DELETE, LIST, a GET up to its headers), retries
   * included; also of each attempt of an upload request, and how long a transfer may stay silent. Default 30 s: a
   * hung storage server must not hang a request.
   */
  readonly timeoutMs?: number;
}

/**
 * The object key of a blob: flat `<prefix><key>`. No `ab/cd/` folders as on disk: S3 spreads load over key ranges
 * by itself, and a flat listing is in key order, which the reconciler's `scan` resumes from with StartAfter.
 */
const objectKey = (prefix: string, key: string): string => `${prefix}${checkKey(key)}`;
const KEY_RE = /^[0-9a-f]{32}$/;

/** The S3 client the settings describe (also used by the tests and the bench to look into the bucket). */
export function createS3Client(s3: S3Settings, timeoutMs = 30_000): S3Client {
  return new S3Client({
    region: s3.region,
    ...(s3.endpoint === null ? {} : { endpoint: s3.endpoint }),
    forcePathStyle: s3.forcePathStyle,
    // Unset: the SDK's default chain (environment, shared files, instance or task role).
    ...(s3.accessKeyId !== null && s3.secretAccessKey !== null
      ? { credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } }
      : {}),
    // SDKs since 2025 add a CRC32 checksum to every upload, sending a streamed body as `aws-chunked` with a
    // trailer, and ask for checksums back. Not every S3-compatible server speaks that: s3rver 3.7.1 stores the
    // chunk framing as the object's bytes (a 1000-byte file streamed became 1043 bytes; a Buffer body was fine),
    // and older MinIO/Ceph versions refuse it. Checksums only where an operation requires them keep bodies plain;
    // TLS and the Content-Length the server checks guard the bytes in transit.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    // A connection that does not open, a request unanswered (body sent, headers not back: an upload part is at
    // most 5 MB), or a transfer silent for `timeoutMs`, fails instead of hanging. Without throwOnRequestTimeout
    // the SDK only logs a warning when requestTimeout passes and goes on waiting.
    requestHandler: {
      connectionTimeout: 5_000,
      requestTimeout: timeoutMs,
      throwOnRequestTimeout: true,
      socketTimeout: timeoutMs,
    },
    maxAttempts: 3,
  });
}

/**
 * Looks at the bucket once at start. A bucket that does not exist or that these credentials may not use is a
 * mistake in the settings, which no retry mends: the process refuses to start and says which. A storage server
 * that does not answer may only be starting after us: that is a warning, and tasks wait for it meanwhile (the
 * API answers 455, file links 503).
 */
async function checkBucket(client: S3Client, s3: S3Settings, log: Logger, timeoutMs: number): Promise<void> {
  try {
    await client.send(new HeadBucketCommand({ Bucket: s3.bucket }), {
      abortSignal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const status = err instanceof S3ServiceException ? err.$metadata.httpStatusCode : undefined;
    const where = `S3 bucket "${s3.bucket}"${s3.endpoint === null ? "" : ` at ${s3.endpoint}`}`;
    if (status === 404) throw new ConfigError(`${where} does not exist (HOOKLINE_S3_BUCKET)`);
    if (status === 401 || status === 403)
      throw new ConfigError(
        `${where} refused these credentials (HTTP ${status}): check HOOKLINE_S3_ACCESS_KEY_ID / _SECRET_ACCESS_KEY and the bucket's policy`,
      );
    if (status === 301 || status === 400)
      throw new ConfigError(
        `${where} answered HTTP ${status}: check HOOKLINE_S3_REGION, HOOKLINE_S3_ENDPOINT and HOOKLINE_S3_FORCE_PATH_STYLE`,
      );
    log.warn(
      { err, bucket: s3.bucket, endpoint: s3.endpoint },
      `${where} did not answer at start; files wait for it`,
    );
  }
}

/**
 * Blob storage in an S3-compatible bucket: blob `k` is the object `<prefix>k`. Reads for ffmpeg go through the
 * local scratch area (see {@link BlobStore.local}); writes land there first too, except `writeStream`, which
 * streams straight to a (multipart) upload. Every storage failure is logged and becomes `unavailable` (the API
 * answers 455 "service unavailable", the file route 503), a missing object `not_found` / `source_unavailable`.
 */
export async function createS3BlobStore(opts: S3StoreOptions): Promise<BlobStore> {
  const { s3, log } = opts;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const scratch = await openScratch(opts.scratchRoot);
  const client = createS3Client(s3, timeoutMs);
  const Bucket = s3.bucket;
  await checkBucket(client, s3, log, timeoutMs);
  const name = (key: string) => objectKey(s3.prefix, key);

  /** Runs one call under the deadline (and `outer`, a caller's signal); failures are logged and translated. */
  async function call<T>(
    op: string,
    key: string | null,
    run: (signal: AbortSignal) => Promise<T>,
    outer?: AbortSignal,
  ) {
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), timeoutMs);
    const signal = outer ? AbortSignal.any([outer, deadline.signal]) : deadline.signal;
    try {
      return await run(signal);
    } catch (err) {
      // A missing object is an answer, not a failure: the caller decides what it means.
      if (outer?.aborted || missing(err)) throw err;
      throw failure(op, key, err, deadline.signal.aborted);
    } finally {
      clearTimeout(timer);
    }
  }

  function failure(op: string, key: string | null, err: unknown, timedOut: boolean): HooklineError {
    if (err instanceof HooklineError) return err;
    log.error({ err, op, key, bucket: Bucket }, "file storage call failed");
    const why = timedOut ? `did not answer within ${timeoutMs / 1000} s` : "is unavailable";
    return new HooklineError("unavailable", `File storage ${why}; try again later`, { cause: err });
  }

  /** Uploads `body` as blob `key` (multipart past 5 MB); a failed multipart upload is aborted by `Upload`. */
  async function upload(op: string, key: string, body: Readable): Promise<void> {
    const up = new Upload({
      client,
      params: { Bucket, Key: name(key), Body: body },
      queueSize: 2,
      leavePartsOnError: false,
    });
    try {
      await up.done();
    } catch (err) {
      // A body that failed (too large, a client that hung up) is the body's error, not the storage's.
      const bodyError = body.errored;
      body.destroy();
      await removeQuietly(key);
      throw bodyError ?? failure(op, key, err, false);
    }
  }

  /** Removes what a failed upload may have left; a failure is logged by `call` (the reconciler removes it later). */
  async function removeQuietly(key: string): Promise<void> {
    await call("delete", key, (abortSignal) =>
      client.send(new DeleteObjectCommand({ Bucket, Key: name(key) }), { abortSignal }),
    ).catch(() => undefined);
  }

  async function headSize(key: string): Promise<number | null> {
    try {
      const res = await call("head", key, (abortSignal) =>
        client.send(new HeadObjectCommand({ Bucket, Key: name(key) }), { abortSignal }),
      );
      return res.ContentLength ?? 0;
    } catch (err) {
      if (missing(err)) return null;
      throw err;
    }
  }

  const getObject = (key: string, range: string | undefined, signal: AbortSignal) =>
    client.send(new GetObjectCommand({ Bucket, Key: name(key), ...(range ? { Range: range } : {}) }), {
      abortSignal: signal,
    });

  return {
    tempDir: scratch.dir,
    tempPath: (ext) => scratch.path(ext),
    writeTemp: (source, o) => scratch.write(source, o.maxBytes),

    async commit(tempPath) {
      const tmp = scratch.own(tempPath);
      try {
        const { size } = await stat(tmp);
        const key = newBlobKey();
        await upload("commit", key, createReadStream(tmp));
        return { key, size };
      } finally {
        await rm(tmp, { force: true });
      }
    },

    async writeStream(source, o) {
      const key = newBlobKey();
      const head = new HeadKeeper();
      let size = 0;
      const counter = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          size += chunk.byteLength;
          // Stopping the body fails the upload, and `Upload` aborts the multipart upload it may have begun.
          if (size > o.maxBytes) return done(tooLarge(o.maxBytes));
          head.add(chunk);
          done(null, chunk);
        },
      });
      const feeding = pipeline(source, counter).catch(() => undefined);
      try {
        await upload("writeStream", key, counter);
      } finally {
        await feeding;
      }
      return { key, size, head: head.bytes() };
    },

    async local(key, signal) {
      // Named after its key (random hex, never user input), so that a look at the scratch area or at a running
      // ffmpeg tells which blob a copy is of.
      const fresh = scratch.path();
      const path = join(dirname(fresh), `${checkKey(key)}-${basename(fresh)}`);
      try {
        const res = await call("download", key, (s) => getObject(key, undefined, s), signal);
        if (!(res.Body instanceof Readable)) throw new Error("GetObject answered no stream");
        // ffmpeg needs a seekable input (MP4/M4A keep their index at the end), so the object is copied into this
        // process's scratch area rather than piped or handed over as a URL. Past the headers, a transfer that
        // stalls is ended by the client's socketTimeout.
        await pipeline(
          res.Body,
          createWriteStream(path, { flags: "wx", mode: 0o600 }),
          signal ? { signal } : {},
        );
      } catch (err) {
        await rm(path, { force: true });
        if (missing(err)) throw new HooklineError("source_unavailable", "the stored file is missing");
        if (signal?.aborted) throw err;
        throw failure("download", key, err, false);
      }
      return { path, release: () => rm(path, { force: true }) };
    },

    async stat(key) {
      const size = await headSize(key);
      return size === null ? null : { size };
    },

    async read(key, range) {
      try {
        const res = await call("read", key, (s) => getObject(key, `bytes=${range.start}-${range.end}`, s));
        if (!(res.Body instanceof Readable))
          throw new HooklineError("internal", "GetObject answered no stream");
        return res.Body;
      } catch (err) {
        if (missing(err)) throw new HooklineError("not_found", "the stored file is missing");
        throw err;
      }
    },

    exists: async (key) => (await headSize(key)) !== null,

    async delete(key) {
      await call("delete", key, (abortSignal) =>
        client.send(new DeleteObjectCommand({ Bucket, Key: name(key) }), { abortSignal }),
      );
    },

    async presign(key, req) {
      if (!s3.presignedDownloads) return null;
      const command = new GetObjectCommand({
        Bucket,
        Key: name(key),
        ResponseContentDisposition: req.contentDisposition,
        ResponseContentType: req.contentType,
      });
      return getSignedUrl(client, command, { expiresIn: req.expiresInS });
    },

    sweepTemp: (maxAgeMs, now, idleFolderMs) => scratch.sweep(maxAgeMs, now, idleFolderMs),

    async scan(after, limit) {
      const res = await call("list", null, (abortSignal) =>
        client.send(
          new ListObjectsV2Command({
            Bucket,
            Prefix: s3.prefix || undefined,
            ...(after === null ? {} : { StartAfter: `${s3.prefix}${after}` }),
            MaxKeys: limit,
          }),
          { abortSignal },
        ),
      );
      const objects = res.Contents ?? [];
      const blobs = objects.flatMap((o) => {
        const key = o.Key?.slice(s3.prefix.length) ?? "";
        // Objects under the prefix that are not blobs (someone else's) are not ours to judge.
        if (!KEY_RE.test(key)) return [];
        return [{ key, writtenAt: o.LastModified?.getTime() ?? Date.now() }];
      });
      const last = objects.at(-1)?.Key?.slice(s3.prefix.length) ?? null;
      return { blobs, next: res.IsTruncated ? last : null };
    },

    async close() {
      client.destroy();
    },
  };
}

/** A 404 from S3: NoSuchKey (GET), NotFound (HEAD). */
function missing(err: unknown): boolean {
  return err instanceof HooklineError
    ? missing(err.cause)
    : err instanceof S3ServiceException &&
        (err.name === "NoSuchKey" || err.name === "NotFound" || err.$metadata.httpStatusCode === 404);
}
