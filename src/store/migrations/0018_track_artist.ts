import type { SchemaMigration } from "./migration.js";

/**
 * The artist a track's own tags name (ID3, Vorbis comments, MP4), read when the upload is probed, so that its
 * covers can print it under the title. Tracks registered before this step have none. (Numbered 0018: 0017 is
 * another change's.)
 */
export const trackArtist: SchemaMigration = {
  name: "0018_track_artist",
  async up(db) {
    await db.schema.alterTable("tracks").addColumn("artist", "text").execute();
  },
};
