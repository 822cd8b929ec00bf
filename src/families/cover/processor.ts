import { writeFile } from "node:fs/promises";
import { type Static, Type } from "@sinclair/typebox";
import { refundCredits } from "../../credits/index.js";
import { getFile, insertFile, isLive } from "../../files/index.js";
import { HooklineError, isTransient, toError } from "../../lib/errors.js";
import { newId } from "../../lib/ids.js";
import { analyseTrack } from "../../media/analysis/index.js";
import { FontCache } from "../../media/image/index.js";
import type { Services } from "../../services/index.js";
import type { Family, Outcome, Task } from "../../tasks/index.js";
import { coverTitle, tracksOfTask } from "../../tracks/index.js";
import { readStored } from "../stored.js";
import { refundsOnFailure } from "./credits.js";
import { coverImages } from "./images.js";
import { COVER_STATUS, coverCallbackBody, coverFailureCode } from "./payload.js";

/** What a cover task's input holds. */
export const CoverInput = Type.Object({ musicTaskId: Type.String() });
export type CoverInput = Static<typeof CoverInput>;

/**
 * What is read back of a finished cover task's result: its two images' file ids. The rest (their styles, what the
 * art was drawn from) is kept as written, for people who read the record.
 */
export const CoverResult = Type.Object({ fileIds: Type.Array(Type.String()) });
export type CoverResult = Static<typeof CoverResult>;

/** A file name from a title: no path separators, no control characters, not empty. */
const fileBase = (title: string) =>
  [...title]
    .map((c) => (c === "/" || c === "\\" || (c.codePointAt(0) ?? 0) < 0x20 || c === "\u007f" ? "_" : c))
    .join("")
    .slice(0, 120)
    .trim() || "cover";

/**
 * The cover family's engine side: find the music task's track, analyse it, make one image per style (locally or by
 * the configured image service), store them with signed URLs kept 14 days by default, and call back.
 */
export function createCoverFamily(services: Services): Family {
  const { store, blobs, clock, config } = services;
  // One per family instance: fonts are read once and shared by every task of this process.
  const fonts = new FontCache();

  function failure(task: Task, error: HooklineError): Outcome {
    const refunded = refundsOnFailure(task);
    const code = coverFailureCode(error, refunded);
    const message = refunded ? `${error.message} (credits refunded)` : error.message;
    return {
      status: COVER_STATUS.failed,
      errorCode: code,
      errorMessage: message,
      done: true,
      // The refund commits with the failure: a crash cannot do one without the other.
      commit: refunded ? (trx) => refundCredits(trx, task) : undefined,
      callback: {
        event: "cover.failed",
        body: coverCallbackBody(task.id, code, message, null),
        signTaskId: task.id,
      },
    };
  }

  async function work(task: Task, signal: AbortSignal): Promise<Outcome> {
    const { musicTaskId } = readStored(CoverInput, task.input, "cover input");
    const [track] = await tracksOfTask(store.db, musicTaskId);
    const source = track ? await getFile(store.db, track.file_id) : undefined;
    if (!track || !source || !isLive(source, clock.now())) {
      throw new HooklineError("source_unavailable", "The source track is missing or has expired");
    }
    // The upload's probe read the length from the header, which can lie: the decode enforces the cap itself.
    const input = await blobs.local(source.storage_key, signal);
    const features = await analyseTrack(services.ffmpeg, input.path, {
      signal,
      maxDurationS: config.limits.maxSourceSeconds,
    }).finally(() => input.release());
    const text = coverTitle(track, source.file_name);
    const title = text.title;
    const images = await coverImages(services, fonts, features, text, signal);
    const stored: {
      id: string;
      key: string;
      size: number;
      fileName: string;
      mimeType: string;
      style: string;
    }[] = [];
    for (const [i, image] of images.entries()) {
      const temp = blobs.tempPath(image.extension);
      await writeFile(temp, image.bytes);
      const { key, size } = await blobs.commit(temp);
      const fileName = `${fileBase(title)} (${i + 1} ${image.style}).${image.extension}`;
      stored.push({ id: newId("file"), key, size, fileName, mimeType: image.mimeType, style: image.style });
    }
    const now = clock.now();
    const expiresAt = now + config.retention.coverMs;
    const urls = stored.map((f) => services.signer.sign(f.id, f.fileName, expiresAt));
    return {
      status: COVER_STATUS.success,
      errorCode: 200,
      errorMessage: "",
      result: {
        fileIds: stored.map((f) => f.id),
        styles: stored.map((f) => f.style),
        analysis: { tempoBpm: features.tempoBpm, key: features.key, durationS: features.durationS },
      },
      done: true,
      commit: async (trx) => {
        for (const [i, f] of stored.entries()) {
          await insertFile(
            trx,
            {
              id: f.id,
              ownerId: task.ownerId,
              path: `results/${task.id}/${i + 1}-${f.style}.${f.fileName.split(".").pop()}`,
              fileName: f.fileName,
              storageKey: f.key,
              size: f.size,
              mimeType: f.mimeType,
              kind: "cover",
              expiresAt,
            },
            now,
          );
        }
      },
      callback: {
        event: "cover.completed",
        body: coverCallbackBody(task.id, 200, "success", urls),
        signTaskId: task.id,
      },
    };
  }

  return {
    name: "cover",
    async run(task, { signal }) {
      try {
        return await work(task, signal);
      } catch (thrown) {
        if (signal.aborted || isTransient(thrown)) throw thrown;
        const error = toError(thrown);
        return failure(task, error);
      }
    },
    failed(task, error) {
      return failure(task, toError(error));
    },
  };
}
