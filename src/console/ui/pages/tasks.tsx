import { useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import { api, messageOf } from "../api.js";
import { age } from "../format.js";
import { useTaskEvents } from "../live.js";
import { CallbackBadge, StatusBadge } from "./badges.js";
import { ErrorLine } from "./error-line.js";

export interface TaskRow {
  readonly taskId: string;
  readonly family: string;
  readonly status: string;
  readonly source?: string | null;
  readonly callbackState?: string;
  readonly createTime: string | null;
}

interface TaskPage {
  readonly tasks: TaskRow[];
  readonly nextCursor: string | null;
}

const FAMILIES = ["", "wav", "cover", "voice"];
// The list's vocabulary across families (a family's own statuses differ: GENERATE_WAV_FAILED, fail, …).
const STATUSES = ["", "pending", "succeeded", "failed"];
const CALLBACKS = ["", "delivered", "retrying", "pending", "failed", "none"];

function Select(props: {
  id: string;
  label: string;
  options: string[];
  value: string;
  onChange(v: string): void;
}) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <select id={props.id} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
        {props.options.map((o) => (
          <option key={o} value={o}>
            {o === "" ? "any" : o}
          </option>
        ))}
      </select>
    </div>
  );
}

/** The key's tasks, newest first, filtered, searched, paged by cursor, and kept current by the event stream. */
export function TasksPage() {
  const family = useSignal("");
  const status = useSignal("");
  const callback = useSignal("");
  const search = useSignal("");
  const rows = useSignal<TaskRow[]>([]);
  const cursor = useSignal<string | null>(null);
  const error = useSignal("");
  const loading = useSignal(false);
  const live = useSignal(false);
  const refetch = useRef<number | undefined>(undefined);

  const query = (after: string | null) => {
    const q = new URLSearchParams({ limit: "50" });
    if (family.value) q.set("family", family.value);
    if (status.value) q.set("status", status.value);
    if (callback.value) q.set("callback", callback.value);
    if (search.value.trim()) q.set("q", search.value.trim());
    if (after) q.set("cursor", after);
    return `/api/v1/hookline/tasks?${q}`;
  };
  const load = async (more = false) => {
    loading.value = true;
    error.value = "";
    try {
      const page = await api<TaskPage>("GET", query(more ? cursor.value : null));
      rows.value = more ? [...rows.value, ...page.tasks] : page.tasks;
      cursor.value = page.nextCursor;
    } catch (err) {
      error.value = messageOf(err);
    } finally {
      loading.value = false;
    }
  };
  useEffect(() => {
    void load();
  }, [family.value, status.value, callback.value]);

  useTaskEvents(
    (e) => {
      live.value = true;
      const i = rows.value.findIndex((r) => r.taskId === e.taskId);
      const row = rows.value[i];
      if (row) {
        const next = [...rows.value];
        next[i] = {
          ...row,
          ...(e.status ? { status: e.status } : {}),
          ...(e.callbackState ? { callbackState: e.callbackState } : {}),
        };
        rows.value = next;
      } else {
        // A task not on the page (a new one): the first page is read again, once per burst of events.
        window.clearTimeout(refetch.current);
        refetch.current = window.setTimeout(() => void load(), 300);
      }
    },
    () => void load(),
  );

  return (
    <section aria-labelledby="tasks-title">
      <h1 id="tasks-title">Tasks</h1>
      <form
        class="filters"
        aria-label="Filter tasks"
        onSubmit={(e) => {
          e.preventDefault();
          void load();
        }}
      >
        <Select
          id="f-family"
          label="Family"
          options={FAMILIES}
          value={family.value}
          onChange={(v) => (family.value = v)}
        />
        <Select
          id="f-status"
          label="Status"
          options={STATUSES}
          value={status.value}
          onChange={(v) => (status.value = v)}
        />
        <Select
          id="f-callback"
          label="Callback"
          options={CALLBACKS}
          value={callback.value}
          onChange={(v) => (callback.value = v)}
        />
        <div class="field grow">
          <label for="f-search">Task id or audio id</label>
          <input
            id="f-search"
            type="search"
            value={search.value}
            onInput={(e) => (search.value = e.currentTarget.value)}
          />
        </div>
        <button type="submit">Search</button>
      </form>
      <p class="hint" aria-live="polite">
        {live.value ? "Live: updates as tasks change." : ""}
      </p>
      <ErrorLine message={error.value} />
      <div class="table-wrap">
        <table class="tasks">
          <caption class="sr-only">Tasks, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Task</th>
              <th scope="col">Family</th>
              <th scope="col">Status</th>
              <th scope="col">Source</th>
              <th scope="col">Age</th>
              <th scope="col">Callback</th>
            </tr>
          </thead>
          <tbody>
            {rows.value.map((t) => (
              <tr key={t.taskId} data-task-id={t.taskId}>
                <td>
                  <a href={`#/tasks/${encodeURIComponent(t.taskId)}`} class="mono">
                    {t.taskId}
                  </a>
                </td>
                <td data-label="Family">{t.family}</td>
                <td data-label="Status">
                  <StatusBadge status={t.status} />
                </td>
                <td data-label="Source" class="source">
                  {t.source ?? ""}
                </td>
                <td data-label="Age">
                  <time dateTime={t.createTime ?? ""}>{age(t.createTime)}</time>
                </td>
                <td data-label="Callback">
                  <CallbackBadge state={t.callbackState ?? "none"} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {rows.value.length === 0 && !loading.value && <p>No tasks match.</p>}
      {cursor.value && (
        <button type="button" onClick={() => void load(true)} disabled={loading.value}>
          Load more
        </button>
      )}
    </section>
  );
}
