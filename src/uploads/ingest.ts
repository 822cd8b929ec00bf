import { rm } from "node:fs/promises";
import { insertFile } from "../files/index.js";
import { HooklineError } from "../lib/errors.js";
import { isoTime } from "../lib/time.js";
import { checkSourceShape, type ProbeResult, probeAudio, sniffMime } from "../media/index.js";
import { checkQuota } from "../quota/index.js";
import type { Services } from "../services/index.js";
import { registerTrack } from "../tracks/index.js";
import { chooseFileName } from "./names.js";

type AudioProbe = Extract<ProbeResult, { kind: "audio" }>;

/** Refuses a file that is not audio Hookline can decode (400 / 422). */
export function requireAudio(probe: ProbeResult): asserts probe is AudioProbe {
  if (probe.kind !== "audio") {
    throw new HooklineError("bad_request", `The file is not audio that Hookline can decode: ${probe.reason}`);
  }
}

/**
 * An upload's bytes in the scratch area, not yet a blob: it is probed there and committed only once accepted, so
 * that a remote store costs no round trip to read back what was just sent (and a refused file never reaches it).
 */
export interface Stored {
  /** A temp path of the blob store (`tempPath`, `writeTemp`). */
  readonly temp: string;
  readonly size: number;
  readonly head: Uint8Array;
  /** A name the source suggested (URL path, Content-Disposition, multipart file name). */
  readonly nameHint: string | null;
}

export interface IngestRequest {
  readonly ownerId: string;
  /** Checked by `checkUploadPath`. */
  readonly uploadPath: string;
  /** Checked by `checkFileName`; null or absent for a random name. */
  readonly fileName?: string | null;
  readonly title?: string | null;
  /** `POST /hookline/tracks` insists on audio; uploads accept anything. */
  readonly requireAudio?: boolean;
}

/**
 * Registers an upload: probes its temp file, stores it as a blob, then records it; audio also becomes a source
 * track (spec 12.1). Returns the upload response's `data` (spec 7.1 and 13).
 *
 * Takes ownership of the temp file and then of the blob: until the file row commits, nothing else points at
 * them, so whatever refuses the upload on the way (not audio, too long, a check added here later, a failed
 * transaction) removes them here. Callers hand the temp file over as soon as it is filled, with nothing that can
 * fail in between.
 */
export async function ingest(services: Services, stored: Stored, req: IngestRequest) {
  let key: string | null = null;
  let committed = false;
  try {
    const checked = await check(services, stored, req);
    // `commit` takes the temp file, whatever its outcome.
    key = (await services.blobs.commit(stored.temp)).key;
    const { file, ids } = await record(services, { ...stored, key }, req, checked);
    committed = true;
    const downloadUrl = services.signer.sign(file.id, file.file_name, Number(file.expires_at));
    return {
      fileName: file.file_name,
      filePath: file.path,
      downloadUrl,
      fileUrl: downloadUrl,
      fileSize: Number(file.size),
      mimeType: checked.mimeType,
      uploadedAt: isoTime(Number(file.created_at)),
      ...(ids ? { taskId: ids.taskId, audioId: ids.audioId } : {}),
    };
  } finally {
    if (key === null) await discardTemp(stored);
    else if (!committed) await discardBlob(services, key);
  }
}

/** Removes the temp file of an upload that was refused before it became a blob. */
export async function discardTemp(stored: Stored): Promise<void> {
  await rm(stored.temp, { force: true });
}

/** Removes a blob no row points at; a failure is logged, not thrown (the reconciler removes it later). */
export async function discardBlob(services: Pick<Services, "blobs" | "log">, key: string): Promise<void> {
  await services.blobs.delete(key).catch((error: unknown) => {
    services.log.warn({ err: error, key }, "could not remove the blob of a refused upload");
  });
}

interface Checked {
  readonly probe: ProbeResult;
  readonly mimeType: string;
  readonly fileName: string;
}

/** Probes the temp file and applies the checks that need its content: may refuse it. */
async function check(services: Services, stored: Stored, req: IngestRequest): Promise<Checked> {
  const { limits } = services.config;
  const probe = await probeAudio(services.ffmpeg, stored.temp, {
    timeoutMs: 30_000,
    maxDurationS: limits.maxSourceSeconds,
  });
  const mimeType =
    probe.kind === "audio" ? probe.mimeType : sniffMime(stored.head, stored.nameHint ?? undefined);
  if (req.requireAudio) requireAudio(probe);
  if (probe.kind === "audio") checkSourceShape(probe, limits);
  // The exact size is known now: a key past its quota is refused before the file costs an upload to the store
  // (on S3 a round trip and a delete). `record` checks again in the transaction that keeps the file.
  await checkQuota(services.store.db, limits, req.ownerId, stored.size);
  return { probe, mimeType, fileName: chooseFileName(req.fileName ?? null, stored.nameHint, mimeType) };
}

/** The file row, and for audio the source track, in one transaction: from its commit on, the row owns the blob. */
async function record(
  services: Services,
  stored: Stored & { key: string },
  req: IngestRequest,
  checked: Checked,
) {
  const { store, clock, config } = services;
  const { probe, fileName, mimeType } = checked;
  const now = clock.now();
  return store.transact(async (trx) => {
    // The bytes are on disk already: what is left to decide is whether the key may keep them.
    await checkQuota(trx, config.limits, req.ownerId, stored.size);
    const file = await insertFile(
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
    if (probe.kind !== "audio") return { file, ids: null };
    // The client's name first, then the source's: a multipart part's own name ("song.mp3") says less.
    const naming = { title: req.title, fileNames: [req.fileName, stored.nameHint, fileName] };
    return { file, ids: await registerTrack(trx, file, probe, naming, now) };
  });
}
