import { signal } from "@preact/signals";

/** The signed-in session: undefined while it is being read, null when signed out. */
export interface SessionView {
  readonly kind: "tenant" | "operator";
  readonly keyName: string | null;
}
export const session = signal<SessionView | null | undefined>(undefined);

/** An answer of the API that is not a success: its envelope code and message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** What to show of a failed call: the API's message, else the error's own words. */
export const messageOf = (err: unknown): string => (err instanceof ApiError ? err.message : String(err));

interface Envelope {
  code?: number;
  msg?: string;
  data?: unknown;
}

const isEnvelope = (v: unknown): v is Envelope => typeof v === "object" && v !== null && "code" in v;

/**
 * Calls the API with the session cookie (the console holds no key: the browser sends the HttpOnly cookie).
 * Answers the envelope's `data`; a 401 signs the console out.
 */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method, credentials: "same-origin", headers: { accept: "application/json" } };
  if (body !== undefined) {
    init.headers = { accept: "application/json", "content-type": "application/json" };
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const parsed: unknown = await response.json().catch(() => null);
  const envelope: Envelope = isEnvelope(parsed)
    ? parsed
    : { code: response.status, msg: response.statusText };
  const code = envelope.code ?? response.status;
  if (code === 200 && response.ok) return envelope.data as T;
  if (code === 401 || response.status === 401) {
    if (!path.startsWith("/console/session")) session.value = null;
  }
  throw new ApiError(response.status, code, envelope.msg ?? `HTTP ${response.status}`);
}

/** Reads the current session (on load). */
export async function loadSession(): Promise<void> {
  try {
    session.value = await api<SessionView>("GET", "/console/session");
  } catch {
    session.value = null;
  }
}

/** Uploads a file with progress (fetch cannot report upload progress; XMLHttpRequest can). */
export function uploadFile(
  file: File,
  onProgress: (fraction: number) => void,
): Promise<{ taskId?: string; audioId?: string; fileName?: string; downloadUrl?: string }> {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    form.append("uploadPath", "console");
    form.append("fileName", file.name);
    form.append("file", file, file.name);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/file-stream-upload");
    xhr.withCredentials = true;
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onerror = () => reject(new ApiError(0, 0, "The upload failed: the connection was lost"));
    xhr.onload = () => {
      let parsed: unknown = null;
      try {
        parsed = JSON.parse(xhr.responseText);
      } catch {
        // not JSON: reported below
      }
      const env: Envelope = isEnvelope(parsed) ? parsed : { code: xhr.status, msg: xhr.statusText };
      if (env.code === 200) resolve((env.data ?? {}) as { taskId?: string; audioId?: string });
      else reject(new ApiError(xhr.status, env.code ?? xhr.status, env.msg ?? `HTTP ${xhr.status}`));
    };
    xhr.send(form);
  });
}
