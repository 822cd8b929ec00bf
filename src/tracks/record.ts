import type { UrlSigner } from "../files/index.js";
import { type FileRecord, isLive } from "../files/index.js";
import { wireTime } from "../lib/time.js";
import type { Task } from "../tasks/index.js";
import type { Track } from "./tracks.js";

/**
 * The music-record shape (spec 3) of an uploaded source track, for `GET /api/v1/generate/record-info`.
 */
export function musicRecord(
  task: Task,
  tracks: readonly { track: Track; file: FileRecord | undefined }[],
  signer: UrlSigner,
  now: number,
) {
  const createTime = wireTime(task.createdAt);
  const sunoData = tracks.map(({ track, file }) => {
    const url =
      file && isLive(file, now) && file.expires_at !== null
        ? signer.sign(file.id, file.file_name, Number(file.expires_at))
        : null;
    return {
      id: track.id,
      audioUrl: url,
      streamAudioUrl: url,
      imageUrl: null,
      prompt: "",
      modelName: "upload",
      title: track.title ?? "",
      tags: "",
      createTime,
      duration: Math.round(track.duration_s * 100) / 100,
    };
  });
  return {
    taskId: task.id,
    parentMusicId: "",
    param: JSON.stringify(task.input),
    response: { taskId: task.id, sunoData },
    status: task.status,
    type: "UPLOAD",
    operationType: "upload",
    errorCode: null,
    errorMessage: null,
    createTime,
  };
}
