import type { OpenAPIV3_2 } from "@fastify/swagger";
import { type TSchema, Type } from "@sinclair/typebox";
import type { TagName } from "./reference.js";

/**
 * The callbacks as OpenAPI 3.1 `webhooks`: each family describes its body; the signature headers and what a
 * receiver's answer means (spec 8, 9) are the same for all, so they are written once here.
 */

/** An OpenAPI path item describing one callback (a POST from Hookline to the task's callback URL). */
export type WebhookDoc = OpenAPIV3_2.PathItemObject;

const header = (name: string, description: string, required: boolean) => ({
  name,
  in: "header",
  required,
  description,
  schema: { type: "string" as const },
});

const SIGNATURE_HEADERS = [
  header(
    "webhook-id",
    "Standard Webhooks message id (`msg_…`): the same on every retry and redelivery of one callback; deduplicate on it",
    true,
  ),
  header("webhook-timestamp", "Standard Webhooks: Unix seconds at sending, fresh on each attempt", true),
  header(
    "webhook-signature",
    "Standard Webhooks: `v1,<base64 HMAC-SHA256(key, id.timestamp.body)>` with the base64-decoded bytes of the webhook key after `whsec_`; two space-separated signatures while a rotated key still signs",
    true,
  ),
  header(
    "X-Webhook-Timestamp",
    "Reseller scheme (spec 9), only when the key's HMAC switch is on: Unix seconds at sending",
    false,
  ),
  header(
    "X-Webhook-Signature",
    'Reseller scheme (spec 9), only when the key\'s HMAC switch is on: `base64(HMAC-SHA256(webhook key as UTF-8, taskId + "." + timestamp))`; the body is not covered',
    false,
  ),
];

/**
 * Describes one family's callback for the reference.
 *
 * @example
 * const wavWebhook = callbackWebhook("WAV", "WAV conversion finished", WavCallbackBody);
 */
export function callbackWebhook(
  tag: TagName,
  summary: string,
  description: string,
  body: TSchema,
): WebhookDoc {
  return {
    post: {
      summary,
      description: `${description}\n\nPOSTed as application/json to the task's callback URL when the task ends; retried on a non-2xx answer, a timeout (15 s) or a network error, on the server's retry schedule (HOOKLINE_RETRY_SCHEDULE, default +1, +5, +15 min). The same callback may arrive more than once (same \`webhook-id\`): receivers must be idempotent.`,
      tags: [tag],
      parameters: SIGNATURE_HEADERS,
      requestBody: { required: true, content: { "application/json": { schema: body } } },
      responses: {
        "2XX": { description: "Delivered: any 2xx ends the retries (the body is not read)" },
        default: {
          description: "Not delivered: the callback is tried again later, up to the schedule's end",
        },
      },
    },
  };
}

/**
 * A callback body as its success and failure shapes (`anyOf`): both start with the code, the message and the task
 * id at the top (spec 11 #15); `success` and `failure` are the rest of each.
 */
export function callbackBody(
  success: Record<string, TSchema>,
  failure: Record<string, TSchema>,
  failureCodes: readonly number[],
) {
  const taskId = Type.String({
    description: "the task id at the top (Hookline adds it; the reseller guide reads it)",
  });
  return Type.Union([
    Type.Object({ code: Type.Literal(200), msg: Type.String(), taskId, ...success }, { title: "success" }),
    Type.Object(
      {
        code: Type.Integer({
          minimum: 400,
          maximum: 599,
          description: `the failure's code: ${failureCodes.join(", ")} (a simulation may end any task with 400, 408, 451, 500, 501 or 531)`,
        }),
        msg: Type.String({ description: "why it failed" }),
        taskId,
        ...failure,
      },
      { title: "failure" },
    ),
  ]);
}
