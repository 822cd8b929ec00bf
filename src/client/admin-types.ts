/** The answers of the operator's admin API over keys (`/api/v1/hookline/admin/keys`), as the client returns them. */

/** A key as the operator sees it: never a secret. */
export interface AdminKey {
  keyId: string;
  name: string;
  /** The first and last characters of the API key. */
  hint: string;
  createTime: string;
  revokeTime: string | null;
  hmacEnabled: boolean;
  /** The balance; null: unlimited. */
  credits: number | null;
  /** The key's standing failure simulation (`fail=501,duplicate=1`), or null. */
  simulate: string | null;
  /** Requests per minute: null = the server's default, 0 = none. */
  rateLimit: number | null;
  /** While the webhook key replaced by the last rotation still signs callbacks: until when; else null. */
  webhookKeyRotatedUntil: string | null;
}

/** A new key with its secrets, which no later answer shows again. */
export interface AdminCreatedKey {
  key: AdminKey;
  apiKey: string;
  webhookHmacKey: string;
}

/** What `admin.updateKey` can change; absent fields stay as they are. */
export interface AdminKeyChanges {
  name?: string;
  hmacEnabled?: boolean;
  /** null: unlimited. */
  credits?: number | null;
  /** A simulation spec, or null (or `"off"`) to clear it. */
  simulate?: string | null;
  /** null: the server's default; 0: no limit. */
  rateLimit?: number | null;
}
