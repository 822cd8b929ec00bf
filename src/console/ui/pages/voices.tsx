import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { api, messageOf } from "../api.js";
import { when } from "../format.js";
import { ErrorLine } from "./error-line.js";

interface Voice {
  readonly voiceId: string;
  readonly voiceName: string;
  readonly description: string;
  readonly style: string;
  readonly singerSkillLevel: string | null;
  readonly validationTaskId: string | null;
  readonly taskId: string | null;
  readonly createTime: string | null;
}

/** The key's voices: their details, and deletion (two steps, so that one stray click deletes nothing). */
export function VoicesPage() {
  const voices = useSignal<Voice[]>([]);
  const confirming = useSignal<string | null>(null);
  const error = useSignal("");
  const notice = useSignal("");
  const loaded = useSignal(false);
  const load = async () => {
    try {
      voices.value = (await api<{ voices: Voice[] }>("GET", "/api/v1/hookline/voices?limit=200")).voices;
    } catch (err) {
      error.value = messageOf(err);
    } finally {
      loaded.value = true;
    }
  };
  useEffect(() => {
    void load();
  }, []);
  const remove = async (id: string) => {
    try {
      await api("DELETE", `/api/v1/hookline/voices/${encodeURIComponent(id)}`);
      // Gone from the list in the same render that says so; the list is read again after.
      voices.value = voices.value.filter((v) => v.voiceId !== id);
      notice.value = `Voice ${id} deleted.`;
      confirming.value = null;
      await load();
    } catch (err) {
      error.value = messageOf(err);
    }
  };
  return (
    <section aria-labelledby="voices-title">
      <h1 id="voices-title">Voices</h1>
      <p role="status">{notice.value}</p>
      <ErrorLine message={error.value} />
      {loaded.value && voices.value.length === 0 && <p>No voices yet.</p>}
      <ul class="cards">
        {voices.value.map((v) => (
          <li key={v.voiceId} class="card" data-voice-id={v.voiceId}>
            <h2>{v.voiceName || v.voiceId}</h2>
            <dl class="facts">
              <div>
                <dt>Voice id</dt>
                <dd class="mono">{v.voiceId}</dd>
              </div>
              {v.style && (
                <div>
                  <dt>Style</dt>
                  <dd>{v.style}</dd>
                </div>
              )}
              {v.description && (
                <div>
                  <dt>Description</dt>
                  <dd>{v.description}</dd>
                </div>
              )}
              <div>
                <dt>Created</dt>
                <dd>{when(v.createTime)}</dd>
              </div>
              {v.taskId && (
                <div>
                  <dt>Task</dt>
                  <dd>
                    <a href={`#/tasks/${encodeURIComponent(v.taskId)}`} class="mono">
                      {v.taskId}
                    </a>
                  </dd>
                </div>
              )}
            </dl>
            {confirming.value === v.voiceId ? (
              <div class="actions">
                <button type="button" class="danger" onClick={() => void remove(v.voiceId)}>
                  Confirm: delete {v.voiceName || "this voice"}
                </button>
                <button type="button" onClick={() => (confirming.value = null)}>
                  Keep it
                </button>
              </div>
            ) : (
              <button type="button" onClick={() => (confirming.value = v.voiceId)}>
                Delete…
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
