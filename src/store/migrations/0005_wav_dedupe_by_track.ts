import { sql } from "kysely";
import type { SchemaMigration } from "./migration.js";

/** WAV only-once keys rewritten to the track-led form. */
export const wavDedupeByTrack: SchemaMigration = {
  name: "0005_wav_dedupe_by_track",
  async up(db) {
    // The WAV family's only-once key became `wav:<track's music task id>/<audioId>` (see families/wav): the
    // earlier `wav:<audioId>` keys are rewritten, so that tasks made before still block a second conversion.
    await sql`update tasks set dedupe_key = 'wav:' || parent_id || '/' || substr(dedupe_key, 5)
          where family = 'wav' and parent_id is not null and dedupe_key like 'wav:%'
            and dedupe_key not like 'wav:%/%'`.execute(db);
  },
};
