/**
 * Telling a lost database connection from a failed statement. A statement that failed because the connection
 * went away (the server restarted, an operator cut it, the network dropped) says nothing about the work that ran
 * it: the work is given back and tried again, not failed.
 */

/** SQLSTATE classes and codes of a connection that went away or could not be made. */
const CONNECTION_STATES = new Set(["57P01", "57P02", "57P03", "08000", "08001", "08003", "08004", "08006"]);
/** Socket errors of the driver's connection. */
const SOCKET_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENOTFOUND",
]);
/**
 * What `pg` says without a code: an ended or broken client, and a database closed to new connections
 * (`allow_connections false` answers SQLSTATE 55000, which also names other, lasting states).
 */
const MESSAGES =
  /Connection terminated|not queryable|Client was closed|Connection ended|is not currently accepting connections/i;

/**
 * Whether `error` (or an error it was caused by) is a lost or refused database connection.
 *
 * @example
 * try { await store.db.selectFrom("tracks")… } catch (e) { if (isConnectionError(e)) retryLater(); else throw e; }
 */
export function isConnectionError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && (CONNECTION_STATES.has(code) || SOCKET_CODES.has(code))) return true;
    if (MESSAGES.test(e.message)) return true;
    e = e.cause;
  }
  return false;
}
