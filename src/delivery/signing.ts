import { createHmac } from "node:crypto";

/**
 * The resellers' scheme (spec 9): base64(HMAC-SHA256(key as UTF-8, `${taskId}.${timestamp}`)). The body is not
 * covered, which is why Standard Webhooks headers are sent as well.
 */
export function resellerSignature(webhookKey: string, taskId: string, timestamp: number): string {
  return createHmac("sha256", Buffer.from(webhookKey, "utf8"))
    .update(`${taskId}.${timestamp}`)
    .digest("base64");
}

/** The secret bytes of a `whsec_…` key, as Standard Webhooks libraries decode it. */
export function webhookSecretBytes(webhookKey: string): Buffer {
  return Buffer.from(webhookKey.startsWith("whsec_") ? webhookKey.slice(6) : webhookKey, "base64");
}

/** One Standard Webhooks v1 signature over `${id}.${timestamp}.${body}`. */
export function standardSignature(webhookKey: string, id: string, timestamp: number, body: string): string {
  const mac = createHmac("sha256", webhookSecretBytes(webhookKey))
    .update(`${id}.${timestamp}.${body}`)
    .digest("base64");
  return `v1,${mac}`;
}

export interface SigningKeys {
  readonly current: string;
  /** The key before the last rotation, while its grace period lasts. */
  readonly previous: string | null;
  /** Whether the reseller `X-Webhook-*` headers are sent (the per-key HMAC switch). */
  readonly hmacEnabled: boolean;
}

/**
 * All signature headers of one attempt. Each attempt is signed afresh with its own timestamp.
 *
 * @example
 * const headers = signatureHeaders({ current: key, previous: null, hmacEnabled: true }, "msg_…", taskId, body, 1763800000);
 */
export function signatureHeaders(
  keys: SigningKeys,
  messageId: string,
  taskId: string,
  body: string,
  timestamp: number,
): Record<string, string> {
  const signatures = [standardSignature(keys.current, messageId, timestamp, body)];
  if (keys.previous) signatures.push(standardSignature(keys.previous, messageId, timestamp, body));
  const headers: Record<string, string> = {
    "webhook-id": messageId,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": signatures.join(" "),
  };
  if (keys.hmacEnabled) {
    headers["x-webhook-timestamp"] = String(timestamp);
    headers["x-webhook-signature"] = resellerSignature(keys.current, taskId, timestamp);
  }
  return headers;
}
