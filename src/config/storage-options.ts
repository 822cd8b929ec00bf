/**
 * Where stored files live (issue 11): local disk by default, an S3-compatible bucket when `HOOKLINE_S3_BUCKET` is
 * set. Part of the one options table (options.ts), listed by `--help` in this order.
 */
import { type OptionInfo, option } from "./option.js";
import { httpUrl, onOff, text } from "./types.js";

export const STORAGE_OPTIONS = {
  s3Bucket: option({
    env: "HOOKLINE_S3_BUCKET",
    flag: "s3-bucket",
    type: text,
    unset: "(none: files on local disk)",
    help: "S3 bucket for stored files; setting it selects the S3 store (the data folder keeps only scratch files)",
  }),
  s3Endpoint: option({
    env: "HOOKLINE_S3_ENDPOINT",
    flag: "s3-endpoint",
    type: httpUrl(true),
    unset: "AWS",
    help: "endpoint of an S3-compatible server (MinIO, Ceph, R2, …)",
  }),
  s3Region: option({
    env: "HOOKLINE_S3_REGION",
    flag: "s3-region",
    type: text,
    default: "us-east-1",
    help: "region of the bucket",
  }),
  s3AccessKeyId: option({
    env: "HOOKLINE_S3_ACCESS_KEY_ID",
    flag: "s3-access-key-id",
    type: text,
    unset: "the SDK's default credential chain",
    help: "access key id (with the secret below; unset: environment, shared files or the instance's role)",
  }),
  s3SecretAccessKey: option({
    env: "HOOKLINE_S3_SECRET_ACCESS_KEY",
    flag: "s3-secret-access-key",
    type: text,
    unset: "the SDK's default credential chain",
    help: "secret access key",
  }),
  s3ForcePathStyle: option({
    env: "HOOKLINE_S3_FORCE_PATH_STYLE",
    flag: "s3-force-path-style",
    type: onOff,
    default: false,
    help: "address the bucket as <endpoint>/<bucket> rather than <bucket>.<endpoint> (most self-hosted servers)",
  }),
  s3Prefix: option({
    env: "HOOKLINE_S3_PREFIX",
    flag: "s3-prefix",
    type: text,
    unset: "(none)",
    help: "prefix of Hookline's object keys, as written (e.g. hookline/), so that a bucket can be shared",
  }),
  s3PresignedDownloads: option({
    env: "HOOKLINE_S3_PRESIGNED_DOWNLOADS",
    flag: "s3-presigned-downloads",
    type: onOff,
    default: false,
    help: "download links redirect (307) to a presigned S3 URL, so the bytes bypass Hookline",
  }),
} satisfies Record<string, OptionInfo>;
