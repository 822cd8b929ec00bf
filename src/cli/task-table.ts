import type { CallbackState, TaskPage } from "../client/index.js";

/** Every callback state, as a record so that the compiler says when the SDK's type gains one. */
const CALLBACK_STATES: Readonly<Record<CallbackState, true>> = {
  none: true,
  pending: true,
  retrying: true,
  delivered: true,
  failed: true,
};

/** The callback states `tasks ls --callback` takes, in the order its usage lists them. */
export const CALLBACK_STATE_NAMES = Object.keys(CALLBACK_STATES).join(", ");

/** True for a callback state the SDK's filter takes; a wrong one is refused here, as the server would refuse it. */
export function isCallbackState(value: string): value is CallbackState {
  return Object.hasOwn(CALLBACK_STATES, value);
}

const HEADERS = ["TASK ID", "FAMILY", "STATUS", "CALLBACK", "CREATED"] as const;

/** A page of the task list as an aligned table for a terminal, with how to read the next page. */
export function taskTable(page: TaskPage): string {
  const rows = page.tasks.map((t) => [t.taskId, t.family, t.status, t.callbackState, t.createTime ?? "-"]);
  const all = [[...HEADERS], ...rows];
  const widths = HEADERS.map((_h, i) => Math.max(...all.map((row) => (row[i] ?? "").length)));
  const lines = all.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd(),
  );
  if (page.tasks.length === 0) lines.push("(no tasks)");
  if (page.nextCursor) lines.push(`more: hookline tasks ls --cursor ${page.nextCursor}`);
  return lines.join("\n");
}
