import type { Services } from "../app/services.js";
import { type FileRecord, insertFile } from "../files/index.js";
import { HooklineError } from "../lib/errors.js";
import { isoTime } from "../lib/time.js";
import { type ProbeResult, probeAudio, sniffMime } from "../media/index.js";
import { registerTrack, titleFromFileName } from "../tracks/index.js";
import { chooseFileName } from "./names.js";

type AudioProbe = Extract<ProbeResult, { kind: "audio" }>;

/** Refuses a file that is not audio Hookline can decode (400 / 422). */
export function requireAudio(probe: ProbeResult): asserts probe is AudioProbe {
  if (probe.kind !== "audio") {
    throw new HooklineError("bad_request", `The file is not audio that Hookline can decode: ${probe.reason}`);
  }
}

/** Refuses audio longer than the configured maximum (413 / 422). */
export function checkLength(probe: AudioProbe, maxSeconds: number): void {
  if (probe.durationS > maxSeconds) {
    throw new HooklineError(
      "payload_too_large",
      `Audio is ${Math.round(probe.durationS)} s long; the limit is ${maxSeconds} s`,
    );
  }
}

export interface Stored {
  readonly key: string;
  readonly size: number;
  readonly head: Uint8Array;
  /** A name the source suggested (URL path, Content-Disposition, multipart file name). */
  readonly nameHint: string | null;
}

export interface IngestRequest {
  readonly ownerId: string;
  readonly uploadPath: string;
  readonly fileName?: unknown;
  readonly title?: string | null;
  /** `POST /hookline/tracks` insists on audio; uploads accept anything. */
  readonly requireAudio?: boolean;
}

/**
 * Registers a stored blob as an upload: probes it at once; audio also becomes a source track (spec 12.1).
 * Returns the upload response's `data` (spec 7.1 and 13).
 */
export async function ingest(services: Services, stored: Stored, req: IngestRequest) {
  const { store, clock, config, blobs } = services;
  const probe = await probeAudio(services.ffmpeg, blobs.pathOf(stored.key), { timeoutMs: 30_000 });
  const sniffed = sniffMime(stored.head, stored.nameHint ?? undefined);
  const mimeType = probe.kind === "audio" ? probe.mimeType : sniffed;
  try {
    if (req.requireAudio) requireAudio(probe);
    if (probe.kind === "audio") checkLength(probe, config.limits.maxSourceSeconds);
  } catch (error) {
    await blobs.delete(stored.key);
    throw error;
  }
  const fileName = chooseFileName(req.fileName, stored.nameHint, mimeType);
  const now = clock.now();
  let file: FileRecord | undefined;
  const ids = await store.transact(async (trx) => {
    file = await insertFile(
      trx,
      {
        ownerId: req.ownerId,
        path: `${req.uploadPath}/${fileName}`,
        fileName,
        storageKey: stored.key,
        size: stored.size,
        mimeType,
        kind: "upload",
        expiresAt: now + config.retention.uploadMs,
      },
      now,
    );
    if (probe.kind !== "audio") return null;
    const title = req.title?.trim() || titleFromFileName(stored.nameHint ?? fileName);
    return registerTrack(trx, file, probe, title, now);
  });
  const f = file!;
  const downloadUrl = services.signer.sign(f.id, f.file_name, Number(f.expires_at));
  return {
    fileName: f.file_name,
    filePath: f.path,
    downloadUrl,
    fileUrl: downloadUrl,
    fileSize: Number(f.size),
    mimeType,
    uploadedAt: isoTime(now),
    ...(ids ? { taskId: ids.taskId, audioId: ids.audioId } : {}),
  };
}
