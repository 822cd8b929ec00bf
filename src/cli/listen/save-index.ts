/**
 * The small index `hookline listen --save DIR` keeps in `DIR/hookline-index.json`: every task seen, the messages
 * that carried it, each voiceId with its task, and each file to download with its state. Written atomically
 * (temporary file, fsync, rename) after every change, so a crash leaves the previous or the next version, never a
 * torn one; a restart reads it and resumes the downloads that were not done.
 */
import { mkdir, open, readFile, rename } from "node:fs/promises";
import { join } from "node:path";
import type { Callback } from "../../client/index.js";

/** One file a callback pointed at. */
export interface SavedFile {
  url: string;
  /** Relative to the save folder. */
  path: string;
  state: "pending" | "done" | "failed";
  attempts: number;
  bytes?: number;
  error?: string;
}

/** What is known of one task. */
export interface SavedTask {
  family: Callback["family"];
  code: number;
  msg: string;
  status?: string;
  voiceId?: string | null;
  validateInfo?: string | null;
  messages: string[];
  deliveries: number;
  firstSeen: string;
  lastSeen: string;
  files: SavedFile[];
}

/** The whole index. */
export interface IndexData {
  version: 1;
  tasks: Record<string, SavedTask>;
  /** voiceId → the generate task that made it. */
  voices: Record<string, string>;
}

/** What recording a callback did. */
export type Recorded = "new" | "duplicate_message" | "task_already_processed" | "updated";

const fileNameOf = (url: string, fallback: string) => {
  const last = new URL(url).pathname.split("/").pop() ?? "";
  const ext = /\.[A-Za-z0-9]{1,5}$/.exec(last)?.[0] ?? "";
  return `${fallback}${ext}`;
};

/** The index file of a save folder, held in memory and written after every change. */
export class SaveIndex {
  readonly dir: string;
  readonly path: string;
  data: IndexData = { version: 1, tasks: {}, voices: {} };
  #writing: Promise<void> = Promise.resolve();

  constructor(dir: string) {
    this.dir = dir;
    this.path = join(dir, "hookline-index.json");
  }

  /** Reads the index left by an earlier run, if any. */
  async load(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    try {
      const parsed = JSON.parse(await readFile(this.path, "utf8")) as IndexData;
      if (parsed.version === 1) this.data = { ...parsed, voices: parsed.voices ?? {} };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }

  /** Every file still to download. */
  pending(): { taskId: string; file: SavedFile }[] {
    return Object.entries(this.data.tasks).flatMap(([taskId, t]) =>
      t.files.filter((f) => f.state === "pending").map((file) => ({ taskId, file })),
    );
  }

  /**
   * Records a verified callback. A message seen before is a duplicate; a WAV or cover task whose files are
   * known already is not processed again; a voice task takes the newest phrase, status and voiceId.
   */
  record(cb: Callback, messageId: string, at: Date): Recorded {
    const now = at.toISOString();
    const known = this.data.tasks[cb.taskId];
    if (known?.messages.includes(messageId)) {
      known.deliveries++;
      known.lastSeen = now;
      return "duplicate_message";
    }
    if (known && (cb.family === "wav" || cb.family === "cover") && known.code === 200) {
      known.messages.push(messageId);
      known.deliveries++;
      known.lastSeen = now;
      return "task_already_processed";
    }
    const task: SavedTask = known ?? {
      family: cb.family,
      code: cb.code,
      msg: cb.msg,
      messages: [],
      deliveries: 0,
      firstSeen: now,
      lastSeen: now,
      files: [],
    };
    Object.assign(task, { family: cb.family, code: cb.code, msg: cb.msg, lastSeen: now });
    task.messages.push(messageId);
    task.deliveries++;
    if (cb.family === "wav" && cb.audioWavUrl) {
      task.files = [
        {
          url: cb.audioWavUrl,
          path: join("wav", fileNameOf(cb.audioWavUrl, cb.taskId)),
          state: "pending",
          attempts: 0,
        },
      ];
    } else if (cb.family === "cover" && cb.images) {
      task.files = cb.images.map((url, i) => ({
        url,
        path: join("cover", fileNameOf(url, `${cb.taskId}-${i + 1}`)),
        state: "pending" as const,
        attempts: 0,
      }));
    } else if (cb.family === "voice-validate") {
      task.status = cb.status;
      task.validateInfo = cb.validateInfo;
    } else if (cb.family === "voice-generate") {
      task.status = cb.status;
      task.voiceId = cb.voiceId;
      if (cb.voiceId) this.data.voices[cb.voiceId] = cb.taskId;
    }
    this.data.tasks[cb.taskId] = task;
    return known ? "updated" : "new";
  }

  /** Writes the index atomically; writes are serialised, each one of the latest state. */
  save(): Promise<void> {
    const next = this.#writing.then(async () => {
      const tmp = `${this.path}.tmp-${process.pid}`;
      const fh = await open(tmp, "w");
      try {
        await fh.writeFile(`${JSON.stringify(this.data, null, 2)}\n`);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, this.path);
    });
    this.#writing = next.catch(() => undefined);
    return next;
  }
}
