import { HooklineError } from "../lib/errors.js";

/**
 * Failures that are not the store's: a request over its size cap, a malformed key, a source (an upload whose
 * client hung up) that broke while it was being written.
 */
function notTheStores(error: unknown): boolean {
  if (error instanceof HooklineError)
    return error.code === "payload_too_large" || error.code === "bad_request" || error.code === "not_found";
  if (typeof error !== "object" || error === null) return false;
  const code = "code" in error ? error.code : undefined;
  return code === "ABORT_ERR" || code === "ERR_STREAM_PREMATURE_CLOSE" || code === "ECONNRESET";
}

/**
 * The same store, telling `failed(operation)` of each method call that throws or rejects (the method's name is
 * the operation). A Proxy over whatever methods the store has, so that a store with other methods (local disk,
 * S3) is watched without this file naming them; properties that are not functions pass through.
 *
 * @example
 * const blobs = watchFailures(await createLocalBlobStore(root), (op) => metrics.storageFailed(op));
 */
export function watchFailures<T extends object>(target: T, failed: (operation: string) => void): T {
  const wrapped = new Map<PropertyKey, unknown>();
  const count = (operation: string, error: unknown): void => {
    if (!notTheStores(error)) failed(operation);
  };
  return new Proxy(target, {
    get(obj, prop) {
      // Read on the store itself, not through the proxy: getters and methods that use private fields (#x) need
      // `this` to be the real object.
      const value: unknown = Reflect.get(obj, prop);
      if (typeof value !== "function" || typeof prop !== "string") return value;
      let fn = wrapped.get(prop);
      if (fn === undefined) {
        fn = (...args: unknown[]): unknown => {
          let result: unknown;
          try {
            result = Reflect.apply(value, obj, args);
          } catch (error) {
            count(prop, error);
            throw error;
          }
          if (!(result instanceof Promise)) return result;
          return result.catch((error: unknown) => {
            count(prop, error);
            throw error;
          });
        };
        wrapped.set(prop, fn);
      }
      return fn;
    },
  });
}
