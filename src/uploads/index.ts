/**
 * Uploads (spec 7.1): by URL, base64 or multipart stream; audio becomes a source track (spec 12.1).
 * @module
 */
export { type IngestRequest, ingest, type Stored } from "./ingest.js";
export { checkUploadPath } from "./names.js";
export { uploadRoutes } from "./routes.js";
export { storeFromBase64, storeFromUrl } from "./sources.js";
export { trackRegistrationRoute } from "./tracks-route.js";
