import type { BlobStore } from "./blob-store.js";
import type { S3StoreOptions } from "./s3-store.js";

/**
 * The S3 blob store (s3-store.ts), loading the AWS SDK only when a bucket is configured, as the `pg` driver
 * loads only for PostgreSQL: a server on local disk does not pay for parsing it at every start.
 */
export async function openS3BlobStore(opts: S3StoreOptions): Promise<BlobStore> {
  const { createS3BlobStore } = await import("./s3-store.js");
  return createS3BlobStore(opts);
}
