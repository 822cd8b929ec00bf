import type { Store } from "../store/index.js";
import { type KeyInfo, type KeyRef, keyInfo } from "./info.js";
import { findKey } from "./keys.js";
import { checkName, claimName } from "./names.js";

/** Renames a key; a live key cannot take the name of another live key (`conflict`). */
export async function renameKey(store: Store, ref: KeyRef, name: string): Promise<KeyInfo> {
  checkName(name);
  const row = await findKey(store, ref);
  await store.transact(async (trx) => {
    // A revoked key may share a name: only live names are unique.
    if (row.revoked_at === null) await claimName(trx, name, row.id);
    await trx.updateTable("api_keys").set({ name }).where("id", "=", row.id).execute();
  });
  return keyInfo({ ...row, name });
}
