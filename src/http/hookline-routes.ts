import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { Services } from "../app/services.js";
import { listAttempts, listMessages, requeueLatest } from "../delivery/index.js";
import { markGone } from "../files/index.js";
import { HooklineError } from "../lib/errors.js";
import { isoTime } from "../lib/time.js";
import { hitRate } from "../rates/index.js";
import { getOwnedTask, toTask } from "../tasks/index.js";
import { keyOf } from "./auth.js";
import { sendOk } from "./envelope.js";

const iso = (ms: number | null) => isoTime(ms === null ? null : Number(ms));

/** The additive endpoints of spec 12.4 and 13: task list, delivery log, redelivery, deletion. */
export function hooklineRoutes(app: FastifyInstance, services: Services) {
  const { store, clock } = services;

  const ownTask = (ownerId: string, taskId: string) => getOwnedTask(store.db, ownerId, taskId);

  app.get(
    "/api/v1/hookline/tasks",
    {
      schema: {
        summary: "The key's tasks, newest first",
        querystring: Type.Object({
          family: Type.Optional(Type.String()),
          status: Type.Optional(Type.String()),
          limit: Type.Optional(Type.String({ pattern: "^[0-9]{1,4}$" })),
          cursor: Type.Optional(Type.String()),
        }),
      },
    },
    async (request, reply) => {
      const key = keyOf(request);
      const q = request.query as { family?: string; status?: string; limit?: string; cursor?: string };
      const limit = Math.min(Math.max(Number(q.limit ?? 50), 1), 500);
      const [cursorTime, cursorId] = (q.cursor ?? "").split(".");
      const rows = await store.db
        .selectFrom("tasks")
        .selectAll()
        .where("owner_id", "=", key.id)
        .$if(q.family !== undefined, (qb) => qb.where("family", "=", q.family!))
        .$if(q.status !== undefined, (qb) => qb.where("status", "=", q.status!))
        .$if(Boolean(cursorTime && cursorId), (qb) =>
          qb.where((eb) =>
            eb.or([
              eb("created_at", "<", Number(cursorTime)),
              eb.and([eb("created_at", "=", Number(cursorTime)), eb("id", "<", cursorId!)]),
            ]),
          ),
        )
        .orderBy("created_at", "desc")
        .orderBy("id", "desc")
        .limit(limit + 1)
        .execute();
      const page = rows.slice(0, limit).map(toTask);
      const last = page[page.length - 1];
      return sendOk(reply, {
        tasks: page.map((t) => ({
          taskId: t.id,
          family: t.family,
          status: t.status,
          callbackUrl: t.callbackUrl,
          errorCode: t.errorCode,
          errorMessage: t.errorMessage,
          createTime: iso(t.createdAt),
          completeTime: iso(t.completedAt),
        })),
        nextCursor: rows.length > limit && last ? `${last.createdAt}.${last.id}` : null,
      });
    },
  );

  app.get(
    "/api/v1/hookline/tasks/:taskId/deliveries",
    { schema: { summary: "Callback messages and attempts of a task" } },
    async (request, reply) => {
      const key = keyOf(request);
      const task = await ownTask(key.id, (request.params as { taskId: string }).taskId);
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
        })),
      });
    },
  );

  app.post(
    "/api/v1/hookline/tasks/:taskId/redeliver",
    { schema: { summary: "Send the task's last callback again (same message id)" } },
    async (request, reply) => {
      const key = keyOf(request);
      const task = await ownTask(key.id, (request.params as { taskId: string }).taskId);
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
      const requeued = await requeueLatest(store, task.id, clock.now());
      if (!requeued) throw new HooklineError("bad_request", "This task has no callback to deliver");
      if (requeued.busy) {
        throw new HooklineError(
          "rate_limited",
          "This callback is being delivered right now; ask again once the attempt has ended",
          { data: { taskId: task.id, messageId: requeued.messageId } },
        );
      }
      services.messages.poke();
      return sendOk(reply, { taskId: task.id, messageId: requeued.messageId });
    },
  );

  app.delete(
    "/api/v1/hookline/tasks/:taskId",
    { schema: { summary: "Delete a task and its files" } },
    async (request, reply) => {
      const key = keyOf(request);
      const task = await ownTask(key.id, (request.params as { taskId: string }).taskId);
      if (task.action !== null)
        throw new HooklineError("wrong_state", "The task is still running; delete it when it has finished");
      const keys = await store.transact(async (trx) => {
        const files = await trx
          .selectFrom("files")
          .select("id")
          .where("owner_id", "=", key.id)
          .where("path", "like", `results/${task.id}/%`)
          .where("deleted_at", "is", null)
          .execute();
        const gone = await markGone(
          trx,
          key.id,
          files.map((f) => f.id),
          { deleted_at: clock.now() },
        );
        await trx.deleteFrom("tracks").where("task_id", "=", task.id).execute();
        await trx
          .deleteFrom("attempts")
          .where("message_id", "in", (qb) =>
            qb.selectFrom("messages").select("messages.id").where("messages.task_id", "=", task.id),
          )
          .execute();
        await trx.deleteFrom("messages").where("task_id", "=", task.id).execute();
        await trx.deleteFrom("tasks").where("id", "=", task.id).execute();
        return gone;
      });
      for (const k of keys) await services.blobs.delete(k);
      return sendOk(reply, { taskId: task.id, deleted: true, filesDeleted: keys.length });
    },
  );

  app.delete(
    "/api/v1/hookline/files/*",
    { schema: { summary: "Delete an uploaded file by its filePath" } },
    async (request, reply) => {
      const key = keyOf(request);
      const path = decodeURIComponent((request.params as { "*": string })["*"]);
      const files = await store.db
        .selectFrom("files")
        .select("id")
        .where("owner_id", "=", key.id)
        .where("path", "=", path)
        .where("deleted_at", "is", null)
        .execute();
      if (files.length === 0) throw new HooklineError("not_found", "File not found");
      // Tracks registered from the file stay listed, but their bytes are gone: a WAV request for one then ends
      // GENERATE_WAV_FAILED with 451 (source missing), as for an expired upload.
      const gone = await store.transact((trx) =>
        markGone(
          trx,
          key.id,
          files.map((f) => f.id),
          { deleted_at: clock.now() },
        ),
      );
      for (const k of gone) await services.blobs.delete(k);
      return sendOk(reply, { filePath: path, deleted: true });
    },
  );
}
