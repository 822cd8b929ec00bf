import { useSignal } from "@preact/signals";
import { api, messageOf, uploadFile } from "../api.js";
import { go } from "../router.js";
import { ErrorLine } from "./error-line.js";

interface Uploaded {
  readonly taskId?: string;
  readonly audioId?: string;
  readonly fileName?: string;
}

/** Upload a track (drop it or choose it), watch the progress, then start a WAV conversion or covers. */
export function UploadPage() {
  const progress = useSignal<number | null>(null);
  const uploaded = useSignal<Uploaded | null>(null);
  const callbackUrl = useSignal("");
  const error = useSignal("");
  const over = useSignal(false);

  const send = async (file: File | undefined) => {
    if (!file) return;
    error.value = "";
    uploaded.value = null;
    progress.value = 0;
    try {
      uploaded.value = await uploadFile(file, (f) => {
        progress.value = f;
      });
      if (!uploaded.value.audioId)
        error.value = `${file.name} was stored, but it is not audio the server can decode.`;
    } catch (err) {
      error.value = messageOf(err);
    } finally {
      progress.value = null;
    }
  };

  const start = async (what: "wav" | "cover") => {
    const up = uploaded.value;
    if (!up?.taskId || !up.audioId) return;
    error.value = "";
    const cb = callbackUrl.value.trim() ? { callBackUrl: callbackUrl.value.trim() } : {};
    try {
      const r =
        what === "wav"
          ? await api<{ taskId: string }>("POST", "/api/v1/wav/generate", {
              taskId: up.taskId,
              audioId: up.audioId,
              ...cb,
            })
          : await api<{ taskId: string }>("POST", "/api/v1/suno/cover/generate", {
              taskId: up.taskId,
              ...cb,
            });
      go(`tasks/${encodeURIComponent(r.taskId)}`);
    } catch (err) {
      // Also the same track converted before: the answer's message names that task.
      error.value = messageOf(err);
    }
  };

  return (
    <section aria-labelledby="upload-title">
      <h1 id="upload-title">Upload a track</h1>
      {/* biome-ignore lint/a11y/noStaticElementInteractions: the drop zone's keyboard way in is the file input inside it */}
      <div
        class={`drop ${over.value ? "over" : ""}`}
        onDragOver={(e) => {
          e.preventDefault();
          over.value = true;
        }}
        onDragLeave={() => {
          over.value = false;
        }}
        onDrop={(e) => {
          e.preventDefault();
          over.value = false;
          void send(e.dataTransfer?.files[0]);
        }}
      >
        <p>Drop an audio file here, or</p>
        <label for="file" class="button">
          Choose a file
        </label>
        <input
          id="file"
          class="sr-only"
          type="file"
          accept="audio/*,.mp3,.wav,.flac,.ogg,.opus,.m4a,.webm"
          onChange={(e) => void send(e.currentTarget.files?.[0])}
        />
      </div>
      {progress.value !== null && (
        <div class="field">
          <label for="progress">Uploading</label>
          <progress id="progress" max={1} value={progress.value}>
            {Math.round(progress.value * 100)} %
          </progress>
        </div>
      )}
      <ErrorLine message={error.value} />
      {uploaded.value?.audioId && (
        <div class="panel" role="status">
          <p>
            Uploaded <strong>{uploaded.value.fileName ?? ""}</strong>: audio id{" "}
            <span class="mono">{uploaded.value.audioId}</span>
          </p>
          <div class="field">
            <label for="cb">Callback URL (optional)</label>
            <input
              id="cb"
              type="url"
              placeholder="https://example.com/hook"
              value={callbackUrl.value}
              onInput={(e) => {
                callbackUrl.value = e.currentTarget.value;
              }}
            />
          </div>
          <div class="actions">
            <button type="button" onClick={() => void start("wav")}>
              Convert to WAV
            </button>
            <button type="button" onClick={() => void start("cover")}>
              Make two covers
            </button>
          </div>
        </div>
      )}
    </section>
  );
}
