import type { Kysely } from "kysely";
import type { Database } from "../store/index.js";
import { getFile, isLive } from "./records.js";
import type { UrlSigner } from "./url-signer.js";

/**
 * The signed download URL of a file while its bytes are kept (until its expiry); null when it is unknown, deleted,
 * expired, or kept without an expiry (such a file has no download link). `db` must be the caller's transaction when
 * there is one: on SQLite the transaction holds the only connection, so a query on the store would wait forever.
 *
 * @example
 * const url = await liveFileUrl(store.db, services.signer, task.result.fileId, clock.now());
 */
export async function liveFileUrl(
  db: Kysely<Database>,
  signer: UrlSigner,
  fileId: string,
  now: number,
): Promise<string | null> {
  const file = await getFile(db, fileId);
  if (!file || !isLive(file, now) || file.expires_at === null) return null;
  return signer.sign(file.id, file.file_name, Number(file.expires_at));
}
