import type { ApiKeyTable } from "../store/index.js";

/** An API key as shown to its operator (never the secret itself after creation). */
export interface KeyInfo {
  readonly id: string;
  readonly name: string;
  readonly hint: string;
  readonly hmacEnabled: boolean;
  readonly credits: number | null;
  /** A standing failure simulation for this key's tasks (`fail=501,…`), or null. */
  readonly simulate: string | null;
  /** API requests per minute: null = the server's default (HOOKLINE_RATE_LIMIT), 0 = no limit. */
  readonly rateLimit: number | null;
  readonly createdAt: string;
  readonly revokedAt: string | null;
  /** Until when the webhook key replaced by the last rotation also signs (possibly past), or null. */
  readonly previousKeyValidUntil: string | null;
}

/**
 * How an operation names a key: a string is a key id, a name or an API key (the CLI's `KEY` argument); `{ id }`
 * is that id only (the admin API, where a name chosen by someone must never be taken for another key's id).
 */
export type KeyRef = string | { readonly id: string };

const isoOf = (ms: number | string | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

export function keyInfo(row: ApiKeyTable): KeyInfo {
  return {
    id: row.id,
    name: row.name,
    hint: row.key_hint,
    hmacEnabled: row.hmac_enabled === 1,
    credits: row.credits === null ? null : Number(row.credits),
    simulate: row.simulate,
    rateLimit: row.rate_limit === null ? null : Number(row.rate_limit),
    createdAt: new Date(Number(row.created_at)).toISOString(),
    revokedAt: isoOf(row.revoked_at),
    previousKeyValidUntil: row.previous_webhook_key === null ? null : isoOf(row.previous_key_until),
  };
}
