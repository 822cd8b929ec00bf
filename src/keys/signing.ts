/** What signing a key's callbacks needs of it (the sender's claim reads it with each message: src/outbox). */
export interface SigningRow {
  id: string;
  webhook_key: string;
  previous_webhook_key: string | null;
  previous_key_until: number | null;
  hmac_enabled: number;
}
