import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { api, messageOf } from "../api.js";
import { mediaKind, sameOrigin, urlsIn, when } from "../format.js";
import { useTaskEvents } from "../live.js";
import { CallbackBadge, StatusBadge } from "./badges.js";
import { ErrorLine } from "./error-line.js";
import { TestSendForm } from "./test-send.js";

interface TaskDetail {
  readonly taskId: string;
  readonly family: string;
  readonly status: string;
  readonly callbackUrl: string | null;
  readonly callbackState?: string;
  readonly source?: string | null;
  readonly request?: unknown;
  readonly result?: unknown;
  readonly record?: unknown;
  readonly files?: unknown;
  readonly errorCode?: number | null;
  readonly errorMessage?: string | null;
  readonly createTime: string | null;
  readonly completeTime?: string | null;
  readonly timeline?: { time: string; event: string; detail?: string }[];
}

interface Attempt {
  readonly messageId: string;
  readonly number: number;
  readonly trigger?: string;
  /** Where a `stream` attempt went (the forward URL `listen --remote` reported); null: the message's own URL. */
  readonly target?: string | null;
  readonly time: string | null;
  readonly statusCode: number | null;
  readonly latencyMs: number | null;
  readonly errorClass: string | null;
  readonly error: string | null;
  readonly responseExcerpt: string | null;
  readonly outcome: string;
  readonly headers?: Record<string, string> | null;
  readonly signatures?: { standardWebhooks: number; reseller: boolean } | null;
}

/** Which signatures an attempt carried, in words. */
function signedWith(a: Attempt): string {
  const s = a.signatures;
  if (!s) return "";
  const parts: string[] = [];
  if (s.standardWebhooks === 1) parts.push("webhook-signature (current key)");
  if (s.standardWebhooks > 1)
    parts.push(`webhook-signature (current and previous key: ${s.standardWebhooks})`);
  if (s.reseller) parts.push("X-Webhook-Signature (reseller HMAC)");
  return parts.join(", ");
}

interface Deliveries {
  readonly messages: { messageId: string; url: string; state: string; event: string }[];
  readonly attempts: Attempt[];
}

interface TaskFile {
  readonly kind: string;
  readonly name: string;
  readonly url: string;
}

const isFile = (v: unknown): v is TaskFile =>
  typeof v === "object" && v !== null && "kind" in v && "url" in v && typeof v.url === "string";

/** The task's files (the API's `files`), or failing that every link in its record, as players and images. */
function mediaOf(detail: TaskDetail): { label: string; url: string; kind: "image" | "audio" | "link" }[] {
  const files = Array.isArray(detail.files) ? detail.files.filter(isFile) : [];
  const labels: Record<string, string> = { wav: "WAV", source: "Source", image: "Cover" };
  const found =
    files.length > 0
      ? files.map((f) => ({
          label: `${labels[f.kind] ?? f.kind}: ${f.name}`,
          url: sameOrigin(f.url),
          kind: f.kind === "image" ? ("image" as const) : mediaKind(f.kind, f.url),
        }))
      : urlsIn(detail.record ?? detail.result).map(({ field, url }) => ({
          label: field,
          url: sameOrigin(url),
          kind: mediaKind(field, url),
        }));
  const seen = new Set<string>();
  return found.filter(({ url }) => {
    const fresh = !seen.has(url);
    seen.add(url);
    return fresh;
  });
}

function Media(props: { detail: TaskDetail }) {
  const found = mediaOf(props.detail);
  const images = found.filter((f) => f.kind === "image");
  const audio = found.filter((f) => f.kind === "audio");
  if (images.length === 0 && audio.length === 0) return null;
  return (
    <section aria-labelledby="media-title">
      <h2 id="media-title">Files</h2>
      {audio.map((a) => (
        <figure key={a.url} class="player">
          <figcaption>{a.label}</figcaption>
          {/* biome-ignore lint/a11y/useMediaCaption: music has no captions */}
          <audio controls preload="none" src={a.url} aria-label={a.label} />
        </figure>
      ))}
      {images.length > 0 && (
        <div class="covers">
          {images.map((img, i) => (
            <figure key={img.url}>
              <img src={img.url} alt={`Cover ${i + 1} of ${images.length}`} width={320} height={320} />
              <figcaption>
                <a href={img.url}>{img.label}</a>
              </figcaption>
            </figure>
          ))}
        </div>
      )}
    </section>
  );
}

const field = (value: unknown, name: string): string | number | null => {
  if (typeof value !== "object" || value === null || !(name in value)) return null;
  const v = (value as Record<string, unknown>)[name];
  return typeof v === "string" || typeof v === "number" ? v : null;
};

/** A voice task's phrase, voice id, same-speaker score and verdict. */
function VoiceFacts(props: { detail: TaskDetail }) {
  const { detail } = props;
  const phrase = field(detail.record, "validateInfo") || field(detail.result, "phrase");
  const voiceId = field(detail.record, "voiceId") || field(detail.result, "voiceId");
  const score = field(detail.result, "score");
  const failed = /fail/i.test(detail.status);
  const verdict = voiceId ? "same speaker: voice made" : failed ? (detail.errorMessage ?? "failed") : null;
  const facts: [string, string][] = [];
  if (phrase) facts.push(["Phrase to sing", String(phrase)]);
  if (voiceId) facts.push(["Voice id", String(voiceId)]);
  if (score !== null) facts.push(["Similarity score", String(score)]);
  if (verdict) facts.push(["Verdict", verdict]);
  if (facts.length === 0) return null;
  return (
    <dl class="facts">
      {facts.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

/** One task: its request, timeline, result, and every callback attempt, with redelivery. */
export function TaskPage(props: { taskId: string }) {
  const detail = useSignal<TaskDetail | null>(null);
  const deliveries = useSignal<Deliveries | null>(null);
  const error = useSignal("");
  const notice = useSignal("");
  const id = encodeURIComponent(props.taskId);

  const load = async () => {
    try {
      const [d, del] = await Promise.all([
        api<TaskDetail>("GET", `/api/v1/hookline/tasks/${id}`),
        api<Deliveries>("GET", `/api/v1/hookline/tasks/${id}/deliveries`),
      ]);
      detail.value = d;
      deliveries.value = del;
      error.value = "";
    } catch (err) {
      error.value = messageOf(err);
    }
  };
  useEffect(() => {
    void load();
  }, [props.taskId]);
  useTaskEvents(
    (e) => {
      if (e.taskId === props.taskId) void load();
    },
    () => void load(),
  );

  const redeliver = async () => {
    notice.value = "";
    try {
      const r = await api<{ messageId: string }>("POST", `/api/v1/hookline/tasks/${id}/redeliver`);
      notice.value = `Redelivery queued (message ${r.messageId}).`;
      void load();
    } catch (err) {
      notice.value = messageOf(err);
    }
  };

  const d = detail.value;
  if (error.value && !d)
    return (
      <section>
        <h1>Task {props.taskId}</h1>
        <ErrorLine message={error.value} />
      </section>
    );
  if (!d) return <p class="loading">Loading…</p>;
  const attempts = deliveries.value?.attempts ?? [];
  const urls = new Map((deliveries.value?.messages ?? []).map((m) => [m.messageId, m.url]));
  return (
    <section aria-labelledby="task-title">
      <p>
        <a href="#/tasks">← All tasks</a>
      </p>
      <h1 id="task-title">
        Task <span class="mono">{d.taskId}</span>
      </h1>
      <dl class="facts">
        <div>
          <dt>Family</dt>
          <dd>{d.family}</dd>
        </div>
        <div>
          <dt>Status</dt>
          <dd>
            <StatusBadge status={d.status} />
          </dd>
        </div>
        <div>
          <dt>Callback</dt>
          <dd>
            <CallbackBadge state={d.callbackState ?? "none"} /> {d.callbackUrl ?? ""}
          </dd>
        </div>
        {d.source && (
          <div>
            <dt>Source</dt>
            <dd>{d.source}</dd>
          </div>
        )}
        {d.errorMessage && (
          <div>
            <dt>Error</dt>
            <dd>
              {d.errorCode ?? ""} {d.errorMessage}
            </dd>
          </div>
        )}
      </dl>
      <Media detail={d} />
      {d.family === "voice" && <VoiceFacts detail={d} />}
      <section aria-labelledby="timeline-title">
        <h2 id="timeline-title">Timeline</h2>
        <ol class="timeline">
          {(d.timeline ?? []).map((t, i) => (
            <li key={`${t.time}-${i}`}>
              <time dateTime={t.time}>{when(t.time)}</time> <strong>{t.event}</strong> {t.detail ?? ""}
            </li>
          ))}
        </ol>
      </section>
      <section aria-labelledby="attempts-title">
        <h2 id="attempts-title">Callback attempts</h2>
        <div class="actions">
          <button type="button" onClick={redeliver} disabled={!d.callbackUrl}>
            Redeliver
          </button>
          <span role="status">{notice.value}</span>
        </div>
        {attempts.length === 0 ? (
          <p>No attempt yet.</p>
        ) : (
          <div class="table-wrap">
            <table class="attempts">
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">Time</th>
                  <th scope="col">Target</th>
                  <th scope="col">Status</th>
                  <th scope="col">Latency</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">Error</th>
                  <th scope="col">Response</th>
                  <th scope="col">Sent</th>
                </tr>
              </thead>
              <tbody>
                {attempts.map((a) => (
                  // Stream attempts are numbered among themselves, beside the message's own attempts.
                  <tr key={`${a.messageId}-${a.trigger ?? "auto"}-${a.number}`}>
                    <td>
                      {a.number}
                      {a.trigger && a.trigger !== "auto" ? ` (${a.trigger})` : ""}
                    </td>
                    <td>
                      <time dateTime={a.time ?? ""}>{when(a.time)}</time>
                    </td>
                    <td class="url">{a.target ?? urls.get(a.messageId) ?? ""}</td>
                    <td>{a.statusCode ?? "—"}</td>
                    <td>{a.latencyMs === null ? "—" : `${a.latencyMs} ms`}</td>
                    <td>{a.outcome}</td>
                    <td>{[a.errorClass, a.error].filter(Boolean).join(": ")}</td>
                    <td>
                      <code class="excerpt">{a.responseExcerpt ?? ""}</code>
                    </td>
                    <td>
                      {a.headers ? (
                        <details>
                          <summary>{signedWith(a) || "headers"}</summary>
                          <pre>
                            {Object.entries(a.headers)
                              .map(([k, v]) => `${k}: ${v}`)
                              .join("\n")}
                          </pre>
                        </details>
                      ) : (
                        "—"
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {d.callbackUrl && <TestSendForm taskId={d.taskId} />}
      <details>
        <summary>Request as received</summary>
        <pre>{JSON.stringify(d.request ?? null, null, 2)}</pre>
      </details>
      <details>
        <summary>Result</summary>
        <pre>{JSON.stringify(d.record ?? d.result ?? null, null, 2)}</pre>
      </details>
    </section>
  );
}
