/**
 * The custom-voice family (spec 6): a source recording, a phrase the server picks, the person's recording of
 * it, and a same-speaker check before a voice is made.
 * @module
 */
import type { Services } from "../../services/index.js";
import type { FamilyModule } from "../module.js";
import { generateWebhook, validateWebhook } from "./payload.js";
import { createVoiceFamily } from "./processor.js";
import { voiceRoutes } from "./routes.js";

export {
  generateCallbackBody,
  VOICE_FAILURE_CODES,
  VOICE_STATUS,
  validateCallbackBody,
} from "./payload.js";
export { drawPhrase, PHRASE_LANGUAGES, type PhraseLanguage, phraseCount } from "./phrases/index.js";
export { voiceRecord } from "./record.js";
export { inspectSource, inspectVerification, MIN_VOICED_S, SEGMENT } from "./recording.js";
export { newVoiceId } from "./voices.js";

/** The voice family as the application registers it (src/families/index.ts). */
export const voiceModule = (services: Services): FamilyModule => ({
  family: createVoiceFamily(services),
  routes: voiceRoutes,
  webhooks: { voiceValidateCallback: validateWebhook, voiceGenerateCallback: generateWebhook },
});
