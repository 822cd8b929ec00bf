import { randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import type { Database, Tx, VoiceTable } from "../../store/index.js";

/** A voice id: `voice_` + 32 lowercase hex (spec 1.4). */
export const newVoiceId = (): string => `voice_${randomBytes(16).toString("hex")}`;

/** A voice profile to store. */
export interface NewVoice {
  readonly id: string;
  readonly ownerId: string;
  readonly name: string | null;
  readonly description: string | null;
  readonly style: string | null;
  readonly skillLevel: string;
  readonly sourceTaskId: string;
  readonly generateTaskId: string;
  readonly embedding: readonly number[];
}

/** Stores a voice profile (inside the transaction that finishes its generate task). */
export async function insertVoice(trx: Tx, v: NewVoice, now: number): Promise<void> {
  await trx
    .insertInto("voices")
    .values({
      id: v.id,
      owner_id: v.ownerId,
      name: v.name,
      description: v.description,
      style: v.style,
      skill_level: v.skillLevel,
      source_task_id: v.sourceTaskId,
      generate_task_id: v.generateTaskId,
      embedding: JSON.stringify(v.embedding.map((x) => Number(x.toPrecision(7)))),
      created_at: now,
      deleted_at: null,
    })
    .execute();
}

/** The caller's live voices (tenant isolation: another key's voice is "not found"). */
function liveVoices(db: Kysely<Database>, ownerId: string) {
  return db.selectFrom("voices").selectAll().where("owner_id", "=", ownerId).where("deleted_at", "is", null);
}

/** The caller's live voice with this id. */
export function getVoice(
  db: Kysely<Database>,
  ownerId: string,
  voiceId: string,
): Promise<VoiceTable | undefined> {
  return liveVoices(db, ownerId).where("id", "=", voiceId).executeTakeFirst();
}

/** The caller's live voice made by the task (either the validation task A or the generate task B). */
export function voiceOfTask(
  db: Kysely<Database>,
  ownerId: string,
  taskId: string,
): Promise<VoiceTable | undefined> {
  return liveVoices(db, ownerId)
    .where((eb) => eb.or([eb("source_task_id", "=", taskId), eb("generate_task_id", "=", taskId)]))
    .executeTakeFirst();
}

/** The caller's live voices, newest first. */
export function listVoices(db: Kysely<Database>, ownerId: string, limit: number, before?: number) {
  return liveVoices(db, ownerId)
    .$if(before !== undefined, (q) => q.where("created_at", "<", before!))
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(limit)
    .execute();
}

/**
 * Deletes a voice: marked deleted (check-voice answers false from then on) and its embedding, which describes
 * a person's voice, erased. Returns false when there was no such live voice.
 */
export async function deleteVoice(db: Kysely<Database>, ownerId: string, voiceId: string, now: number) {
  const res = await db
    .updateTable("voices")
    .set({ deleted_at: now, embedding: "[]" })
    .where("id", "=", voiceId)
    .where("owner_id", "=", ownerId)
    .where("deleted_at", "is", null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** A voice as the API shows it. */
export function voiceView(v: VoiceTable, iso: (ms: number) => string | null) {
  return {
    voiceId: v.id,
    voiceName: v.name ?? "",
    description: v.description ?? "",
    style: v.style ?? "",
    singerSkillLevel: v.skill_level,
    validationTaskId: v.source_task_id,
    taskId: v.generate_task_id,
    createTime: iso(Number(v.created_at)),
  };
}
