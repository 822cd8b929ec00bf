import { rm } from "node:fs/promises";
import { refundCredits } from "../../credits/index.js";
import { getFile, insertFile, isLive, type LocalCopy } from "../../files/index.js";
import { HooklineError, isTransient } from "../../lib/errors.js";
import { newId } from "../../lib/ids.js";
import { convertToWav } from "../../media/index.js";
import { checkDisk } from "../../quota/index.js";
import type { Services } from "../../services/index.js";
import { type Family, type Outcome, setStatus, type Task } from "../../tasks/index.js";
import { readStored } from "../stored.js";
import { WAV_STATUS, WavInput, type WavResult, wavCallbackBody, wavFailureCode } from "./payload.js";

/** The WAV family's engine side: convert the source track, store the WAV, answer with its signed URL. */
export function createWavFamily(services: Services): Family {
  const { store, blobs, clock, config } = services;

  function failure(task: Task, error: HooklineError): Outcome {
    const code = wavFailureCode(error);
    return {
      status: WAV_STATUS.failed,
      errorCode: code,
      errorMessage: error.message,
      done: true,
      // A paid conversion that failed gives its credits back, with the failure (spec 12.3).
      commit: (trx) => refundCredits(trx, task),
      callback: {
        event: "wav.failed",
        body: wavCallbackBody(task.id, code, error.message, null),
        signTaskId: task.id,
      },
    };
  }

  return {
    name: "wav",
    async run(task, { signal }) {
      const input = readStored(WavInput, task.input, "WAV input");
      const track = await store.db
        .selectFrom("tracks")
        .selectAll()
        .where("id", "=", input.audioId)
        .executeTakeFirst();
      const source = track ? await getFile(store.db, track.file_id) : undefined;
      if (!track || !source || !isLive(source, clock.now())) {
        return failure(
          task,
          new HooklineError("source_unavailable", "The source track is missing or has expired"),
        );
      }
      // Other keys' queued work may have used the room this one had when it was submitted.
      try {
        checkDisk(services.disk, config.limits, task.reservedBytes);
      } catch (error) {
        if (error instanceof HooklineError) return failure(task, error);
        throw error;
      }
      const temp = blobs.tempPath("wav");
      let wav: Awaited<ReturnType<typeof convertToWav>>;
      // A local file for ffmpeg: the store's own on disk, a copy in the scratch area from S3 (see BlobStore.local).
      let copy: LocalCopy;
      try {
        copy = await blobs.local(source.storage_key, signal);
      } catch (error) {
        if (signal.aborted || isTransient(error)) throw error;
        if (error instanceof HooklineError) return failure(task, error);
        throw error;
      }
      try {
        wav = await convertToWav(services.ffmpeg, copy.path, temp, {
          bitDepth: config.wavBitDepth,
          signal,
          maxDurationS: config.limits.maxSourceSeconds,
          // The submission refused a predicted oversize; this stops a source whose header understated it.
          maxBytes: config.limits.maxOutputBytes,
        });
      } catch (error) {
        await rm(temp, { force: true });
        if (signal.aborted) throw error;
        if (error instanceof HooklineError) return failure(task, error);
        throw error;
      } finally {
        await copy.release();
      }
      const { key, size } = await blobs.commit(temp);
      const now = clock.now();
      const expiresAt = now + config.retention.wavMs;
      const base =
        (track.title ?? source.file_name.replace(/\.[^.]+$/, "")).replace(/[\\/]/g, "_") || "audio";
      const fileName = `${base}.wav`;
      const fileId = newId("file");
      const url = services.signer.sign(fileId, fileName, expiresAt);
      const result: WavResult = {
        fileId,
        durationS: wav.durationS,
        sampleRate: wav.sampleRate,
        channels: wav.channels,
        bitDepth: wav.bitDepth,
      };
      return {
        status: WAV_STATUS.success,
        result,
        done: true,
        commit: async (trx) => {
          await insertFile(
            trx,
            {
              id: fileId,
              ownerId: task.ownerId,
              path: `results/${task.id}/${fileName}`,
              fileName,
              storageKey: key,
              size,
              mimeType: "audio/wav",
              kind: "wav",
              expiresAt,
            },
            now,
          );
        },
        callback: {
          event: "wav.completed",
          body: wavCallbackBody(task.id, 200, "success", url),
          signTaskId: task.id,
        },
      };
    },
    failed(task, error) {
      return failure(
        task,
        error instanceof HooklineError ? error : new HooklineError("internal", error.message),
      );
    },
    async onDeliveryGivenUp(trx, task) {
      // Only a successful conversion becomes CALLBACK_EXCEPTION: a failure keeps saying why it failed.
      if (task.status !== WAV_STATUS.success) return;
      await setStatus(trx, task.id, { from: WAV_STATUS.success, to: WAV_STATUS.callbackException });
    },
    async onDelivered(trx, task) {
      if (task.status !== WAV_STATUS.callbackException) return;
      await setStatus(trx, task.id, { from: WAV_STATUS.callbackException, to: WAV_STATUS.success });
    },
  };
}
