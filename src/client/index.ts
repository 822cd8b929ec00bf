/**
 * The Hookline SDK (`hookline/client`): a typed client for every endpoint, `waitForTask`, and everything needed to
 * receive callbacks (re-exported from `hookline/receiver`).
 * @module
 */

export * from "../receiver/index.js";
export type * from "./admin-types.js";
export { HooklineClient, type RecordOf } from "./client.js";
export { type Dialect, type ErrorKind, HooklineApiError, isHooklineApiError, kindOfCode } from "./errors.js";
export type { FileInfo } from "./files.js";
export type { ClientOptions } from "./http.js";
export type { UploadSource } from "./multipart.js";
export { OPERATIONS, type Operation, type OperationName } from "./operations.js";
export type * from "./types.js";
export { isSettled, type WaitOptions } from "./wait.js";
