/**
 * The file store: blobs on local disk or in an S3-compatible bucket under random keys, signed expiring download URLs, and the
 * HTTP route that serves them (DESIGN invariant 6, spec sections 10 and 13).
 */
export type { ScannedBlob } from "./blob-scan.js";
export { type BlobStore, createLocalBlobStore, type LocalCopy } from "./blob-store.js";
export { HEAD_BYTES, readHead } from "./fs-util.js";
export { contentDisposition } from "./headers.js";
export { liveFileUrl } from "./live-url.js";
export { openS3BlobStore } from "./open-s3.js";
export { createBlobReconciler, type ReconcilePass, type ReconcilerOptions } from "./reconcile.js";
export {
  type FileRecord,
  fileMeta,
  findFileByPath,
  getFile,
  insertFile,
  isLive,
  markGone,
  type NewFile,
  removeAtPath,
  removeUnder,
  sweepExpired,
} from "./records.js";
export type { S3StoreOptions } from "./s3-store.js";
export { type FileMeta, type FileRouteDeps, registerFileRoutes } from "./serve.js";
export type { TempSweep } from "./temp-area.js";
export { createUrlSigner, type UrlSigner } from "./url-signer.js";
