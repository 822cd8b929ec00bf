import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import {
  familyRecord,
  STATUS_OUTCOMES,
  statusesFor,
  TASK_FAMILIES,
  TASK_STATUSES,
} from "../families/index.js";
import { answers, keyOf, Nullable, sendOk } from "../http/index.js";
import { HooklineError } from "../lib/errors.js";
import { isoTime } from "../lib/time.js";
import { CALLBACK_STATES, type CallbackState, callbackStates, listAttempts } from "../outbox/index.js";
import type { Services } from "../services/index.js";
import { getOwnedTask, listTasks, ownedTasks, type Task } from "../tasks/index.js";
import { getTrack } from "../tracks/index.js";
import { filesOf, parentOf, sourceOf, timelineOf } from "./task-info.js";

const iso = (ms: number | null) => isoTime(ms);

/** A query value that must be one of `allowed`: anything else is refused, naming what is allowed. */
function oneOf<T extends string>(
  name: string,
  value: string | undefined,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  const found = allowed.find((a) => a === value);
  if (found === undefined)
    throw new HooklineError("bad_request", `Unknown ${name} "${value}"; allowed: ${allowed.join(", ")}`);
  return found;
}

/** The fields a task shows in the list and in its details. */
function taskFields(task: Task, callbackState: CallbackState, source: string | null) {
  return {
    taskId: task.id,
    family: task.family,
    status: task.status,
    callbackUrl: task.callbackUrl,
    callbackState,
    source,
    errorCode: task.errorCode,
    errorMessage: task.errorMessage,
    createTime: iso(task.createdAt),
    updateTime: iso(task.updatedAt),
    completeTime: iso(task.completedAt),
  };
}

const time = Nullable(Type.String({ description: "ISO 8601" }));
const Open = Type.Object({}, { additionalProperties: true });

/** A task as the list and the details show it. */
const TaskFields = {
  taskId: Type.String(),
  family: Type.String({ description: TASK_FAMILIES.join(" | ") }),
  status: Type.String(),
  callbackUrl: Nullable(Type.String()),
  callbackState: Type.String({ description: CALLBACK_STATES.join(" | ") }),
  source: Nullable(
    Type.String({ description: "what the task was made from (a file name, an audioId, a URL)" }),
  ),
  errorCode: Nullable(Type.Integer()),
  errorMessage: Nullable(Type.String()),
  createTime: time,
  updateTime: time,
  completeTime: time,
};

const TaskDetails = Type.Object({
  ...TaskFields,
  request: Type.Object({}, { additionalProperties: true, description: "the task's stored input" }),
  result: Nullable(Open),
  runs: Type.Integer(),
  timeline: Type.Array(
    Type.Object({
      time: Type.String(),
      event: Type.Union(["submitted", "started", "finished", "callback"].map((e) => Type.Literal(e))),
      detail: Type.String(),
    }),
  ),
  files: Type.Array(
    Type.Object({
      kind: Type.Union(["wav", "image", "source"].map((k) => Type.Literal(k))),
      name: Type.String(),
      url: Type.String(),
    }),
  ),
  record: Nullable(
    Type.Object({}, { additionalProperties: true, description: "as the family's record-info answers it" }),
  ),
});
const tags = ["Tasks & deliveries (Hookline)"];

/** The console's views of a key's tasks: the list (filters, search) and one task in full. */
export function taskViewRoutes(fastify: FastifyInstance, services: Services) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { store } = services;

  /** The tasks named as parents by these (for their `source`), of the same key. */
  const parentsOf = async (ownerId: string, tasks: readonly Task[]) => {
    const ids = [...new Set(tasks.map(parentOf).filter((id): id is string => id !== null))];
    return new Map((await ownedTasks(store.db, ownerId, ids)).map((t) => [t.id, t]));
  };

  app.get(
    "/api/v1/hookline/tasks",
    {
      schema: {
        summary: "The key's tasks, newest first",
        tags,
        querystring: Type.Object({
          family: Type.Optional(Type.String({ description: TASK_FAMILIES.join(" | ") })),
          status: Type.Optional(
            Type.String({
              description: `pending | succeeded | failed (across families), or one family's own status (${TASK_STATUSES.join(", ")})`,
            }),
          ),
          callback: Type.Optional(Type.String({ description: CALLBACK_STATES.join(" | ") })),
          q: Type.Optional(Type.String({ maxLength: 128, description: "a task id, or an audioId" })),
          limit: Type.Optional(Type.String({ pattern: "^[0-9]{1,4}$" })),
          cursor: Type.Optional(Type.String({ pattern: "^[0-9]{1,16}\\.[0-9A-Za-z_-]{1,128}$" })),
        }),
        response: answers(
          Type.Object({
            tasks: Type.Array(Type.Object(TaskFields)),
            nextCursor: Nullable(Type.String({ description: "pass as cursor for the next page" })),
          }),
          "A page of tasks",
        ),
      },
    },
    async (request, reply) => {
      const key = keyOf(request);
      const q = request.query;
      const limit = Math.min(Math.max(Number(q.limit ?? 50), 1), 500);
      const family = oneOf("family", q.family, TASK_FAMILIES);
      const statuses = q.status === undefined ? undefined : statusesFor(q.status);
      if (q.status !== undefined && statuses === undefined)
        throw new HooklineError(
          "bad_request",
          `Unknown status "${q.status}"; allowed: ${[...Object.keys(STATUS_OUTCOMES), ...TASK_STATUSES].join(", ")}`,
        );
      const callback = oneOf("callback", q.callback, CALLBACK_STATES);
      const search = q.q?.trim() ?? "";
      let match: { ids: string[]; parentId: string | null } | undefined;
      if (search !== "") {
        // An audio id stands for its track's music task and everything made from it (WAVs, covers).
        const track = await getTrack(store.db, key.id, search);
        match = { ids: track ? [search, track.task_id] : [search], parentId: track?.task_id ?? null };
      }
      const page = await listTasks(store.db, key.id, {
        family,
        statuses,
        callback,
        match,
        limit,
        cursor: q.cursor,
      });
      const ids = page.tasks.map((t) => t.id);
      const [states, parents] = await Promise.all([
        callbackStates(store.db, ids),
        parentsOf(key.id, page.tasks),
      ]);
      return sendOk(reply, {
        tasks: page.tasks.map((t) => taskFields(t, states.get(t.id) ?? "none", sourceOf(t, parents))),
        nextCursor: page.nextCursor,
      });
    },
  );

  app.get(
    "/api/v1/hookline/tasks/:taskId",
    {
      schema: {
        summary: "A task in full: its request, result, timeline, files and family record",
        tags,
        params: Type.Object({ taskId: Type.String({ maxLength: 128 }) }),
        response: answers(TaskDetails, "The task", { errors: [404] }),
      },
    },
    async (request, reply) => {
      const key = keyOf(request);
      const task = await getOwnedTask(store.db, key.id, request.params.taskId);
      const [states, parents, attempts, files, record] = await Promise.all([
        callbackStates(store.db, [task.id]),
        parentsOf(key.id, [task]),
        listAttempts(store.db, task.id),
        filesOf(services, task),
        familyRecord(services, task),
      ]);
      return sendOk(reply, {
        ...taskFields(task, states.get(task.id) ?? "none", sourceOf(task, parents)),
        request: task.input,
        result: task.result,
        runs: task.runs,
        timeline: timelineOf(task, attempts),
        files,
        record,
      });
    },
  );
}
