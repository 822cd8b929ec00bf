import type { Kysely } from "kysely";
import type { FileRecord } from "../files/index.js";
import { newAudioId, newTaskId } from "../lib/ids.js";
import type { ProbeResult } from "../media/index.js";
import { type Database, query, type Statement, statement, type TrackTable, type Tx } from "../store/index.js";
import { insertTask } from "../tasks/index.js";
import { nameTrack, type TrackNaming } from "./titles.js";

export type Track = TrackTable;

type AudioProbe = Extract<ProbeResult, { kind: "audio" }>;

/**
 * Registers an audio file as a source track (spec 12.1): a synthetic music task (status SUCCESS, type UPLOAD)
 * holding one track, titled from `naming` and the file's tags (see `titles.ts`). Runs inside the caller's
 * transaction, with the file row.
 */
export async function registerTrack(
  trx: Tx,
  file: FileRecord,
  probe: AudioProbe,
  naming: TrackNaming,
  now: number,
): Promise<{ taskId: string; audioId: string }> {
  const { title, artist } = nameTrack(naming, probe.tags);
  const taskId = newTaskId();
  const audioId = newAudioId();
  await insertTask(
    trx,
    {
      id: taskId,
      ownerId: file.owner_id,
      family: "music",
      status: "SUCCESS",
      action: null,
      input: { type: "UPLOAD", filePath: file.path, title },
      callbackUrl: null,
    },
    now,
  );
  await trx
    .insertInto("tracks")
    .values({
      id: audioId,
      task_id: taskId,
      owner_id: file.owner_id,
      file_id: file.id,
      title,
      artist,
      duration_s: probe.durationS,
      sample_rate: probe.sampleRate,
      channels: probe.channels,
      codec: probe.codec,
      created_at: now,
    })
    .execute();
  return { taskId, audioId };
}

/** One row of an owner's track by a precompiled statement of `(audioId, ownerId)`: another key's is "not found". */
async function ownedTrack<R>(db: Kysely<Database>, stmt: Statement<R>, ownerId: string, audioId: string) {
  const [row] = await query(db, stmt, [audioId, ownerId]);
  return row;
}

const TRACK = statement<Track>("select * from tracks where id = ? and owner_id = ?");

/** A track of an owner (tenant isolation). Precompiled: every submission. */
export function getTrack(db: Kysely<Database>, ownerId: string, audioId: string): Promise<Track | undefined> {
  return ownedTrack(db, TRACK, ownerId, audioId);
}

/** What a conversion of a track needs to know before it is queued: its music task and its audio shape. */
export type TrackShape = Pick<Track, "task_id" | "duration_s" | "sample_rate" | "channels">;

const SHAPE_OF_TRACK = statement<TrackShape>(
  "select task_id, duration_s, sample_rate, channels from tracks where id = ? and owner_id = ?",
);

/** An owner's track's music task and audio shape, or undefined. Precompiled: every WAV submission reads it. */
export function shapeOfTrack(
  db: Kysely<Database>,
  ownerId: string,
  audioId: string,
): Promise<TrackShape | undefined> {
  return ownedTrack(db, SHAPE_OF_TRACK, ownerId, audioId);
}

export async function tracksOfTask(db: Kysely<Database>, taskId: string): Promise<Track[]> {
  return db.selectFrom("tracks").selectAll().where("task_id", "=", taskId).orderBy("created_at").execute();
}

/** Deletes a task's tracks, in the caller's transaction (deleting the task). */
export async function removeTracksOfTask(trx: Tx, taskId: string): Promise<void> {
  await trx.deleteFrom("tracks").where("task_id", "=", taskId).execute();
}
