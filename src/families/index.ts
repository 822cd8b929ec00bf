/**
 * The job families. Adding one means adding its folder and naming it here, nothing else.
 * @module
 */
import { coverModule } from "./cover/index.js";
import type { FamilyFactory } from "./module.js";
import { voiceModule } from "./voice/index.js";
import { wavModule } from "./wav/index.js";

export type { FamilyFactory, FamilyModule } from "./module.js";
export { familyRecord, STATUS_OUTCOMES, statusesFor, TASK_FAMILIES, TASK_STATUSES } from "./views.js";

export const FAMILIES: readonly FamilyFactory[] = [wavModule, coverModule, voiceModule];
