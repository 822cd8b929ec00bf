import type { Kysely } from "kysely";
import { type Database, query, statement } from "../store/index.js";

/** What signing a key's callbacks needs of it. */
export interface SigningRow {
  id: string;
  webhook_key: string;
  previous_webhook_key: string | null;
  previous_key_until: number | null;
  hmac_enabled: number;
}

const SIGNING_KEY = statement<SigningRow>(
  "select id, webhook_key, previous_webhook_key, previous_key_until, hmac_enabled from api_keys where id = ?",
);

/** The signing material of the given keys (one lookup per distinct key; precompiled: the sender's cycles). */
export async function signingKeysOf(db: Kysely<Database>, ownerIds: readonly string[]) {
  const out = new Map<string, SigningRow>();
  for (const id of new Set(ownerIds)) {
    const [row] = await query(db, SIGNING_KEY, [id]);
    if (row) out.set(id, row);
  }
  return out;
}
