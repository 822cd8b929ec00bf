import { useSignal } from "@preact/signals";
import { api, messageOf } from "../api.js";
import { ErrorLine } from "./error-line.js";

interface TestSend {
  readonly url: string;
  readonly statusCode: number | null;
  readonly latencyMs: number;
  readonly outcome: string;
  readonly errorClass: string | null;
  readonly error: string | null;
  readonly responseExcerpt: string;
  readonly headers: Record<string, string>;
}

/** Sends the task's latest callback once to another URL and shows what that receiver answered. */
export function TestSendForm(props: { taskId: string }) {
  const url = useSignal("");
  const result = useSignal<TestSend | null>(null);
  const error = useSignal("");
  const busy = useSignal(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    busy.value = true;
    error.value = "";
    result.value = null;
    try {
      result.value = await api<TestSend>(
        "POST",
        `/api/v1/hookline/tasks/${encodeURIComponent(props.taskId)}/test-callback`,
        { url: url.value.trim() },
      );
    } catch (err) {
      error.value = messageOf(err);
    } finally {
      busy.value = false;
    }
  };
  const r = result.value;
  return (
    <section aria-labelledby="test-send-title">
      <h2 id="test-send-title">Send a test callback</h2>
      <p class="hint">
        The latest callback of this task, signed as a real attempt, sent once to another URL. It is not
        retried and not logged.
      </p>
      <form class="filters" onSubmit={submit}>
        <div class="field grow">
          <label for="test-url">Receiver URL</label>
          <input
            id="test-url"
            type="url"
            required
            value={url.value}
            onInput={(e) => {
              url.value = e.currentTarget.value;
            }}
          />
        </div>
        <button type="submit" disabled={busy.value}>
          Send test
        </button>
      </form>
      <ErrorLine message={error.value} />
      {r && (
        <div class="panel" role="status">
          <p>
            {r.outcome === "delivered" ? "Answered" : "Failed"}: {r.statusCode ?? "no answer"} in{" "}
            {r.latencyMs} ms
            {r.error ? ` (${[r.errorClass, r.error].filter(Boolean).join(": ")})` : ""}
          </p>
          <details>
            <summary>Headers sent</summary>
            <pre>
              {Object.entries(r.headers)
                .map(([k, v]) => `${k}: ${v}`)
                .join("\n")}
            </pre>
          </details>
          {r.responseExcerpt && (
            <details>
              <summary>Response</summary>
              <pre>{r.responseExcerpt}</pre>
            </details>
          )}
        </div>
      )}
    </section>
  );
}
