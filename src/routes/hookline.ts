import { setTimeout as sleep } from "node:timers/promises";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { removeAtPath, removeUnder } from "../files/index.js";
import { answers, keyOf, Nullable, sendOk } from "../http/index.js";
import { HooklineError } from "../lib/errors.js";
import { isoTime } from "../lib/time.js";
import { listAttempts, listMessages, removeMessagesOfTask, requeueLatest } from "../outbox/index.js";
import { hitRate } from "../rates/index.js";
import type { Services } from "../services/index.js";
import { getOwnedTask, removeTask } from "../tasks/index.js";
import { removeTracksOfTask } from "../tracks/index.js";
import { eventRoutes } from "./events.js";
import { receiverRoutes } from "./receivers.js";
import { taskViewRoutes } from "./task-views.js";

const taskIdParams = Type.Object({ taskId: Type.String() });
const tags = ["Tasks & deliveries (Hookline)"];
const time = Nullable(Type.String({ description: "ISO 8601" }));

/** The delivery log's `data` (messages: one per callback; attempts: every POST of them). */
const Deliveries = Type.Object({
  taskId: Type.String(),
  messages: Type.Array(
    Type.Object({
      messageId: Type.String({ description: "the webhook-id of the callback" }),
      event: Type.String(),
      url: Type.String(),
      state: Type.String({ description: "pending, delivered or failed" }),
      attempts: Type.Integer(),
      nextAttemptTime: time,
      createTime: time,
      deliveredTime: time,
    }),
  ),
  attempts: Type.Array(
    Type.Object({
      messageId: Type.String(),
      number: Type.Integer(),
      trigger: Type.String({ description: "auto, manual (redelivery) or duplicate (simulation)" }),
      time,
      statusCode: Nullable(Type.Integer()),
      latencyMs: Nullable(Type.Integer()),
      errorClass: Nullable(Type.String()),
      error: Nullable(Type.String()),
      responseExcerpt: Nullable(Type.String()),
      outcome: Type.String(),
      nextAttemptTime: time,
      headers: Nullable(Type.Record(Type.String(), Type.String(), { description: "the headers sent" })),
      signatures: Nullable(
        Type.Object({
          standardWebhooks: Type.Integer({ description: "how many v1 signatures webhook-signature carried" }),
          reseller: Type.Boolean({ description: "whether X-Webhook-Signature was sent" }),
        }),
      ),
    }),
  ),
});
/**
 * What an attempt sent, as recorded (null before headers were kept), and which signatures it carried: how many
 * Standard Webhooks `v1` signatures (two while a rotated webhook key still signs) and whether the resellers'
 * `X-Webhook-Signature` was there (the key's HMAC switch).
 */
function sentHeaders(json: string | null) {
  let headers: Record<string, string> | null = null;
  try {
    const parsed: unknown = json === null ? null : JSON.parse(json);
    if (typeof parsed === "object" && parsed !== null)
      headers = Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, String(v)]));
  } catch {
    headers = null;
  }
  const standard = headers?.["webhook-signature"]?.split(" ").filter((s) => s.startsWith("v1,")).length ?? 0;
  return {
    headers,
    signatures:
      headers === null ? null : { standardWebhooks: standard, reseller: "x-webhook-signature" in headers },
  };
}

const iso = (ms: number | null) => isoTime(ms === null ? null : Number(ms));

/**
 * The additive endpoints of spec 12.4 and 13: task list and details, delivery log, redelivery, deletion; the
 * receivers at a glance and the live event stream (issue 12).
 */
export function hooklineRoutes(fastify: FastifyInstance, services: Services) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { store, clock } = services;

  /** The caller's task of that id, of any family: another key's is "not found". */
  const ownTask = (request: FastifyRequest, taskId: string) =>
    getOwnedTask(store.db, keyOf(request).id, taskId);

  taskViewRoutes(fastify, services);
  receiverRoutes(fastify, services);
  eventRoutes(fastify, services);

  app.get(
    "/api/v1/hookline/tasks/:taskId/deliveries",
    {
      schema: {
        summary: "Callback messages and attempts of a task",
        tags,
        params: taskIdParams,
        response: answers(Deliveries, "The task's delivery log", { errors: [404] }),
      },
    },
    async (request, reply) => {
      const task = await ownTask(request, request.params.taskId);
      const [messages, attempts] = await Promise.all([
        listMessages(store.db, task.id),
        listAttempts(store.db, task.id),
      ]);
      return sendOk(reply, {
        taskId: task.id,
        messages: messages.map((m) => ({
          messageId: m.id,
          event: m.event,
          url: m.url,
          state: m.state,
          attempts: m.total_attempts,
          nextAttemptTime: m.state === "pending" ? iso(m.next_at) : null,
          createTime: iso(m.created_at),
          deliveredTime: iso(m.delivered_at),
        })),
        attempts: attempts.map((a) => ({
          messageId: a.message_id,
          number: a.number,
          trigger: a.trigger,
          time: iso(a.started_at),
          statusCode: a.status_code,
          latencyMs: a.latency_ms,
          errorClass: a.error_class,
          error: a.error_message,
          responseExcerpt: a.response_excerpt,
          outcome: a.outcome,
          nextAttemptTime: iso(a.next_at),
          // Where a `stream` attempt was forwarded; null for attempts to the message's own URL.
          target: a.target,
          ...sentHeaders(a.request_headers),
        })),
      });
    },
  );

  app.post(
    "/api/v1/hookline/tasks/:taskId/redeliver",
    {
      schema: {
        summary: "Send the task's last callback again (same message id)",
        tags,
        params: taskIdParams,
        response: answers(
          Type.Object({ taskId: Type.String(), messageId: Type.String() }),
          "The callback is queued again",
          { errors: [404] },
        ),
      },
    },
    async (request, reply) => {
      const key = keyOf(request);
      const task = await ownTask(request, request.params.taskId);
      // Limited per key (across processes) and per message: a redelivery makes a POST to a URL of the caller's
      // choosing, so it must not become a way to send many.
      const perMinute = services.config.rateLimit.redeliverPerMinute;
      const verdict = await store.batched((trx) => hitRate(trx, key.id, "redeliver", perMinute, clock.now()));
      if (!verdict.ok) {
        reply.header("retry-after", String(verdict.retryAfterS));
        throw new HooklineError(
          "rate_limited",
          `Redelivery limit: ${perMinute} per minute for this key; try again in ${verdict.retryAfterS} s`,
        );
      }
      let requeued = await requeueLatest(store, task.id, clock.now());
      // A caller who has just seen the callback arrive may ask before its sender has recorded the attempt: wait
      // for that attempt to end (at most the callback timeout), then queue the round asked for.
      const waitUntil = performance.now() + services.config.delivery.timeoutMs + 5_000;
      while (requeued?.outcome === "sending" && performance.now() < waitUntil) {
        await sleep(50);
        requeued = await requeueLatest(store, task.id, clock.now());
      }
      if (!requeued) throw new HooklineError("bad_request", "This task has no callback to deliver");
      if (requeued.outcome === "sending") {
        throw new HooklineError(
          "rate_limited",
          "This callback is being delivered right now; ask again once the attempt has ended",
          { data: { taskId: task.id, messageId: requeued.messageId } },
        );
      }
      // `due`: an attempt already waiting to be sent is the redelivery asked for; nothing more is queued.
      services.messages.poke();
      return sendOk(reply, { taskId: task.id, messageId: requeued.messageId });
    },
  );

  app.delete(
    "/api/v1/hookline/tasks/:taskId",
    {
      schema: {
        summary: "Delete a task and its files",
        tags,
        params: taskIdParams,
        response: answers(
          Type.Object({ taskId: Type.String(), deleted: Type.Literal(true), filesDeleted: Type.Integer() }),
          "The task is deleted",
          { errors: [404] },
        ),
      },
    },
    async (request, reply) => {
      const key = keyOf(request);
      const task = await ownTask(request, request.params.taskId);
      if (task.action !== null)
        throw new HooklineError("wrong_state", "The task is still running; delete it when it has finished");
      const keys = await store.transact(async (trx) => {
        const gone = await removeUnder(trx, key.id, `results/${task.id}/`, clock.now());
        await removeTracksOfTask(trx, task.id);
        await removeMessagesOfTask(trx, task.id);
        await removeTask(trx, task.id);
        return gone;
      });
      for (const k of keys) await services.blobs.delete(k);
      return sendOk(reply, { taskId: task.id, deleted: true, filesDeleted: keys.length });
    },
  );

  app.delete(
    "/api/v1/hookline/files/*",
    {
      schema: {
        summary: "Delete an uploaded file by its filePath",
        tags: ["Files"],
        params: Type.Object({ "*": Type.String() }),
        response: answers(
          Type.Object({ filePath: Type.String(), deleted: Type.Literal(true) }),
          "The file is deleted",
          { errors: [404] },
        ),
      },
    },
    async (request, reply) => {
      const key = keyOf(request);
      const path = decodeURIComponent(request.params["*"]);
      // Tracks registered from the file stay listed, but their bytes are gone: a WAV request for one then ends
      // GENERATE_WAV_FAILED with 451 (source missing), as for an expired upload.
      const gone = await store.transact((trx) => removeAtPath(trx, key.id, path, clock.now()));
      if (gone === null) throw new HooklineError("not_found", "File not found");
      for (const k of gone) await services.blobs.delete(k);
      return sendOk(reply, { filePath: path, deleted: true });
    },
  );
}
