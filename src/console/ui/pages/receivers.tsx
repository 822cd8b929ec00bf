import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { api, messageOf } from "../api.js";
import { when } from "../format.js";
import { ErrorLine } from "./error-line.js";

interface Receiver {
  readonly url: string;
  readonly attempts: number;
  readonly successRate: number;
  readonly p50LatencyMs: number | null;
  readonly p95LatencyMs?: number | null;
  readonly lastAttemptTime: string | null;
  readonly lastStatusCode: number | null;
  readonly lastError: string | null;
}

/** Each callback target of the key over the last day: success rate, latency, last error. */
export function ReceiversPage() {
  const receivers = useSignal<Receiver[] | null>(null);
  const error = useSignal("");
  useEffect(() => {
    api<{ receivers: Receiver[] }>("GET", "/api/v1/hookline/receivers")
      .then((r) => {
        receivers.value = r.receivers;
      })
      .catch((err: unknown) => {
        error.value = messageOf(err);
      });
  }, []);
  return (
    <section aria-labelledby="receivers-title">
      <h1 id="receivers-title">Receivers</h1>
      <p class="hint">Callback targets of this key over the last 24 hours.</p>
      <ErrorLine message={error.value} />
      {receivers.value?.length === 0 && <p>No callback was sent in the last 24 hours.</p>}
      {receivers.value && receivers.value.length > 0 && (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Target</th>
                <th scope="col">Attempts</th>
                <th scope="col">Success</th>
                <th scope="col">p50 latency</th>
                <th scope="col">Last attempt</th>
                <th scope="col">Last error</th>
              </tr>
            </thead>
            <tbody>
              {receivers.value.map((r) => (
                <tr key={r.url}>
                  <td class="url">{r.url}</td>
                  <td>{r.attempts}</td>
                  <td>{Math.round(r.successRate * 100)} %</td>
                  <td>{r.p50LatencyMs === null ? "—" : `${Math.round(r.p50LatencyMs)} ms`}</td>
                  <td>
                    {when(r.lastAttemptTime)} {r.lastStatusCode ?? ""}
                  </td>
                  <td>{r.lastError ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
