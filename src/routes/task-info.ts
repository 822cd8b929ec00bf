import { getFile, isLive } from "../files/index.js";
import { isoTime } from "../lib/time.js";
import type { listAttempts } from "../outbox/index.js";
import type { Services } from "../services/index.js";
import type { Task } from "../tasks/index.js";
import { tracksOfTask } from "../tracks/index.js";

const text = (value: unknown): string | null => (typeof value === "string" && value !== "" ? value : null);

/** The last segment of a path or URL: what a person recognises a file by. */
const baseName = (path: string): string => {
  const bare = path.split(/[?#]/)[0] ?? path;
  return decodeURIComponent(bare.slice(bare.lastIndexOf("/") + 1)) || path;
};

/** The task another one was made from, as its input names it (a track's music task, a voice's validation). */
export function parentOf(task: Task): string | null {
  return text(task.input.musicTaskId) ?? text(task.input.validationTaskId);
}

/**
 * What a task worked on, in a few words: the uploaded file for a track's tasks (its audioId when the upload is
 * gone), the source recording of a voice. `parents`: the tasks {@link parentOf} names, those still there.
 */
export function sourceOf(task: Task, parents: ReadonlyMap<string, Task>): string | null {
  const parentId = parentOf(task);
  const parent = parentId === null ? undefined : parents.get(parentId);
  switch (task.family) {
    case "music": {
      // The stored name, unless Hookline made it up (no `fileName` given: 20 random characters, spec 13); then the
      // track's title, which comes from the name the file was uploaded under, with the file's extension.
      const path = text(task.input.filePath);
      const stored = path === null ? null : baseName(path);
      const title = text(task.input.title);
      if (stored !== null && (title === null || !/^[A-Za-z0-9]{20}(\.[a-z0-9]{1,8})?$/.test(stored)))
        return stored;
      if (title === null) return null;
      const ext = /\.[a-z0-9]{1,8}$/.exec(stored ?? "")?.[0] ?? "";
      return title.toLowerCase().endsWith(ext) ? title : `${title}${ext}`;
    }
    case "wav":
    case "cover":
      return (parent && sourceOf(parent, parents)) ?? text(task.input.audioId) ?? parentId;
    case "voice": {
      const voiceUrl = text(task.input.voiceUrl) ?? (parent ? text(parent.input.voiceUrl) : null);
      return voiceUrl === null ? text(task.input.verifyUrl) : baseName(voiceUrl);
    }
    default:
      return null;
  }
}

type Attempt = Awaited<ReturnType<typeof listAttempts>>[number];

export interface TimelineEntry {
  readonly time: string;
  readonly event: "submitted" | "started" | "finished" | "callback";
  readonly detail: string;
}

/** A task's life from what is stored: made, its latest run's start, its end, and every callback attempt. */
export function timelineOf(task: Task, attempts: readonly Attempt[]): TimelineEntry[] {
  const entries: { at: number; event: TimelineEntry["event"]; detail: string }[] = [
    { at: task.createdAt, event: "submitted", detail: `${task.family} task submitted` },
  ];
  if (task.startedAt !== null)
    entries.push({ at: task.startedAt, event: "started", detail: `run ${task.runs} started` });
  if (task.completedAt !== null) {
    const error = task.errorMessage ? `: ${task.errorMessage}` : "";
    entries.push({ at: task.completedAt, event: "finished", detail: `${task.status}${error}` });
  }
  for (const a of attempts) {
    const answer = a.status_code === null ? (a.error_class ?? "no answer") : `HTTP ${a.status_code}`;
    const manual = a.trigger === "auto" ? "" : ` (${a.trigger})`;
    entries.push({
      at: Number(a.started_at),
      event: "callback",
      detail: `attempt ${a.number}${manual}: ${a.outcome}, ${answer}`,
    });
  }
  // Stable: events of one millisecond keep the order they happen in.
  entries.sort((x, y) => x.at - y.at);
  return entries.map((e) => ({ time: isoTime(e.at) ?? "", event: e.event, detail: e.detail }));
}

export interface TaskFile {
  readonly kind: "wav" | "image" | "source";
  readonly name: string;
  readonly url: string;
}

/**
 * The files of a task a page can play or show, as signed links while they are kept: its outputs (a WAV, the cover
 * images) and the uploaded source of a track's tasks.
 */
export async function filesOf(services: Services, task: Task): Promise<TaskFile[]> {
  const { store, signer, clock } = services;
  const now = clock.now();
  const link = async (fileId: string, kind: TaskFile["kind"]) => {
    const file = await getFile(store.db, fileId);
    if (!file || file.owner_id !== task.ownerId || !isLive(file, now) || file.expires_at === null)
      return null;
    return { kind, name: file.file_name, url: signer.sign(file.id, file.file_name, Number(file.expires_at)) };
  };
  const wanted: [string, TaskFile["kind"]][] = [];
  const result = task.result ?? {};
  if (typeof result.fileId === "string") wanted.push([result.fileId, "wav"]);
  if (Array.isArray(result.fileIds))
    for (const id of result.fileIds) if (typeof id === "string") wanted.push([id, "image"]);
  const trackTask = task.family === "music" ? task.id : text(task.input.musicTaskId);
  if (trackTask !== null && task.family !== "voice")
    for (const track of await tracksOfTask(store.db, trackTask)) wanted.push([track.file_id, "source"]);
  const links = await Promise.all(wanted.map(([id, kind]) => link(id, kind)));
  return links.filter((l): l is TaskFile => l !== null);
}
