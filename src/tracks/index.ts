/**
 * Source tracks: uploaded audio registered as a synthetic music task with one track (spec 12.1).
 * @module
 */
export { musicRecord } from "./record.js";
export { trackRoutes } from "./routes.js";
export { coverTitle, FALLBACK_TITLE } from "./titles.js";
export {
  getTrack,
  registerTrack,
  removeTracksOfTask,
  shapeOfTrack,
  type Track,
  type TrackShape,
  tracksOfTask,
} from "./tracks.js";
