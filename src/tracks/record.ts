import { Type } from "@sinclair/typebox";
import type { UrlSigner } from "../files/index.js";
import { type FileRecord, isLive } from "../files/index.js";
import { Nullable } from "../http/index.js";
import { wireTime } from "../lib/time.js";
import type { Task } from "../tasks/index.js";
import type { Track } from "./tracks.js";

/** The music record as the reference documents it (spec 3, 12.1). */
export const MusicRecord = Type.Object({
  taskId: Type.String(),
  parentMusicId: Type.String(),
  param: Type.String({ description: "the upload's request, as JSON text" }),
  response: Type.Object({
    taskId: Type.String(),
    sunoData: Type.Array(
      Type.Object({
        id: Type.String({ description: "the audioId of the track (UUID)" }),
        audioUrl: Nullable(
          Type.String({ description: "signed URL of the uploaded file; null once it expired" }),
        ),
        streamAudioUrl: Nullable(Type.String()),
        imageUrl: Type.Null(),
        prompt: Type.String(),
        modelName: Type.Literal("upload"),
        title: Type.String(),
        tags: Type.String(),
        createTime: Nullable(Type.String({ description: "YYYY-MM-DD HH:mm:ss, UTC" })),
        duration: Type.Number({ description: "seconds" }),
      }),
    ),
  }),
  status: Type.String(),
  type: Type.Literal("UPLOAD"),
  operationType: Type.Literal("upload"),
  errorCode: Type.Null(),
  errorMessage: Type.Null(),
  createTime: Nullable(Type.String()),
});

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
