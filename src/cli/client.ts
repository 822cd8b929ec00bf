import { loadClientConfig, processEnv } from "../config/index.js";
import { HooklineError } from "../lib/errors.js";

const USAGE = `Usage (talks to a running server: HOOKLINE_URL, HOOKLINE_API_KEY):
  hookline tasks ls [--family wav] [--status SUCCESS] [--limit 50]
  hookline tasks show TASK_ID          the WAV record of a task
  hookline tasks deliveries TASK_ID    every callback attempt of a task
  hookline tasks redeliver TASK_ID     send the last callback again (same message id)
  hookline tasks rm TASK_ID            delete a task and its files`;

async function call(method: string, path: string): Promise<unknown> {
  const { url, apiKey } = loadClientConfig(processEnv());
  if (!apiKey) throw new HooklineError("unauthorized", "set HOOKLINE_API_KEY (from `hookline keys create`)");
  let res: Response;
  try {
    res = await fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${apiKey}` } });
  } catch (error) {
    throw new HooklineError(
      "unavailable",
      `cannot reach ${url} (${(error as Error).message}); is the server running?`,
    );
  }
  const body = (await res.json()) as { code: number; msg: string; data: unknown };
  if (body.code !== 200) throw new HooklineError("bad_request", `${body.code} ${body.msg}`);
  return body.data;
}

/** `hookline tasks …`: the delivery log, redelivery and task management from the command line. */
export async function tasks(args: string[]): Promise<number> {
  const [verb, id, ...rest] = args;
  const out = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  const needId = () => {
    if (!id) throw new HooklineError("bad_request", `a task id is required\n${USAGE}`);
    return encodeURIComponent(id);
  };
  switch (verb) {
    case "ls": {
      const params = new URLSearchParams();
      const flags = [id, ...rest].filter((s): s is string => s !== undefined);
      for (let i = 0; i < flags.length; i += 2) {
        const name = flags[i]?.replace(/^--/, "");
        const value = flags[i + 1];
        if (name && value && ["family", "status", "limit", "cursor"].includes(name)) params.set(name, value);
      }
      out(await call("GET", `/api/v1/hookline/tasks?${params}`));
      return 0;
    }
    case "show":
      out(await call("GET", `/api/v1/wav/record-info?taskId=${needId()}`));
      return 0;
    case "deliveries":
      out(await call("GET", `/api/v1/hookline/tasks/${needId()}/deliveries`));
      return 0;
    case "redeliver":
      out(await call("POST", `/api/v1/hookline/tasks/${needId()}/redeliver`));
      return 0;
    case "rm":
      out(await call("DELETE", `/api/v1/hookline/tasks/${needId()}`));
      return 0;
    default:
      process.stdout.write(`${USAGE}\n`);
      return verb === undefined || verb === "--help" ? 0 : 2;
  }
}
