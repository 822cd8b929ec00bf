import { type HooklineClient, isHooklineApiError, type TaskKind } from "../client/index.js";
import { HooklineError } from "../lib/errors.js";
import { CONNECTION_HELP, connect, output, parseClientArgs } from "./connect.js";

const USAGE = `Usage (talks to a running server):
  hookline tasks ls [--family wav] [--status SUCCESS] [--limit 50] [--cursor C]
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
      const filter = {
        ...(str(values.family) ? { family: str(values.family) } : {}),
        ...(str(values.status) ? { status: str(values.status) } : {}),
        ...(str(values.cursor) ? { cursor: str(values.cursor) } : {}),
        ...(limit ? { limit: Number(limit) } : {}),
      };
      output(await client.tasks.list(filter), json);
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

/** `hookline redeliver TASK_ID`: alias of `hookline tasks redeliver`. */
export function redeliver(args: string[]): Promise<number> {
  return tasks(["redeliver", ...args]);
}
