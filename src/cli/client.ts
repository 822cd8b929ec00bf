import { type HooklineClient, isHooklineApiError, type TaskKind } from "../client/index.js";
import { HooklineError } from "../lib/errors.js";
import { CONNECTION_HELP, connect, output, parseClientArgs } from "./connect.js";
import { CALLBACK_STATE_NAMES, isCallbackState, taskTable } from "./task-table.js";

const USAGE = `Usage (talks to a running server):
  hookline tasks ls [--family wav] [--status failed] [--callback STATE] [--q TEXT] [--limit 50] [--cursor C]
                                       a table on a terminal, JSON otherwise or with --json;
                                       --status: pending, succeeded or failed (any family), or a family's own
                                       status (SUCCESS, GENERATE_WAV_FAILED, wait_validating, …)
                                       STATE: ${CALLBACK_STATE_NAMES}; TEXT: a task id or audioId
  hookline tasks show TASK_ID          the record of a task, whatever its family
  hookline tasks deliveries TASK_ID    every callback attempt of a task
  hookline tasks redeliver TASK_ID     send the last callback again (same message id); also \`hookline redeliver\`
  hookline tasks rm TASK_ID            delete a task and its files
  --json prints one JSON line (default: indented JSON)
${CONNECTION_HELP}`;

/** Reads a task's record from each family's record endpoint until one knows the id (unknown ids answer 404). */
async function show(client: HooklineClient, taskId: string): Promise<{ kind: TaskKind; record: unknown }> {
  const readers: [TaskKind, () => Promise<unknown>][] = [
    ["wav", () => client.wav.recordInfo(taskId)],
    ["cover", () => client.cover.recordInfo(taskId)],
    ["voice-generate", () => client.voice.recordInfo(taskId)],
    ["voice-validate", () => client.voice.validateInfo(taskId)],
    ["music", () => client.music.recordInfo(taskId)],
  ];
  let last: unknown;
  for (const [kind, read] of readers) {
    try {
      return { kind, record: await read() };
    } catch (error) {
      if (!isHooklineApiError(error, "not_found")) throw error;
      last = error;
    }
  }
  throw last;
}

/** `hookline tasks …`: the task list, records, the delivery log, redelivery and deletion, through the SDK. */
export async function tasks(args: string[]): Promise<number> {
  const { values, positionals } = parseClientArgs(args, {
    family: { type: "string" },
    status: { type: "string" },
    callback: { type: "string" },
    q: { type: "string" },
    limit: { type: "string" },
    cursor: { type: "string" },
  });
  const [verb, id] = positionals;
  const json = values.json === true;
  if (values.help || !verb) {
    process.stdout.write(`${USAGE}\n`);
    return verb || values.help ? 0 : 2;
  }
  const needId = () => {
    if (!id) throw new HooklineError("bad_request", `a task id is required\n${USAGE}`);
    return id;
  };
  const client = connect(values);
  switch (verb) {
    case "ls": {
      const str = (v: unknown) => (typeof v === "string" ? v : undefined);
      const limit = str(values.limit);
      if (limit !== undefined && !/^\d{1,4}$/.test(limit))
        throw new HooklineError("bad_request", "--limit N");
      const callback = str(values.callback);
      if (callback !== undefined && !isCallbackState(callback))
        throw new HooklineError("bad_request", `--callback must be one of: ${CALLBACK_STATE_NAMES}`);
      const filter = {
        ...(str(values.family) ? { family: str(values.family) } : {}),
        ...(str(values.status) ? { status: str(values.status) } : {}),
        ...(callback ? { callback } : {}),
        ...(str(values.q) ? { q: str(values.q) } : {}),
        ...(str(values.cursor) ? { cursor: str(values.cursor) } : {}),
        ...(limit ? { limit: Number(limit) } : {}),
      };
      const page = await client.tasks.list(filter);
      // Scripts read the JSON they always got; only a person at a terminal gets the table.
      if (process.stdout.isTTY && !json) process.stdout.write(`${taskTable(page)}\n`);
      else output(page, json);
      return 0;
    }
    case "show":
      output((await show(client, needId())).record, json);
      return 0;
    case "deliveries":
      output(await client.tasks.deliveries(needId()), json);
      return 0;
    case "redeliver":
      output(await client.tasks.redeliver(needId()), json);
      return 0;
    case "rm":
      output(await client.tasks.delete(needId()), json);
      return 0;
    default:
      process.stderr.write(`unknown command "tasks ${verb}"\n${USAGE}\n`);
      return 2;
  }
}

const REDELIVER_USAGE = `Usage: hookline redeliver TASK_ID [--json]
Sends the task's last callback again, with the same message id (webhook-id); the same as \`hookline tasks redeliver\`.
--json prints one JSON line (default: indented JSON)
${CONNECTION_HELP}`;

/** `hookline redeliver TASK_ID`: alias of `hookline tasks redeliver`, with its own usage. */
export async function redeliver(args: string[]): Promise<number> {
  const { values, positionals } = parseClientArgs(args, {});
  if (values.help || positionals.length === 0) {
    process.stdout.write(`${REDELIVER_USAGE}\n`);
    return values.help ? 0 : 2;
  }
  return tasks(["redeliver", ...args]);
}
