import type { Task } from "../../tasks/index.js";
import { VOICE_STATUS } from "./payload.js";

/** A voice task's record with both fields (validate-info and record-info each leave one out). */
export function voiceTaskRecord(task: Task) {
  const failed = task.status === VOICE_STATUS.validateFailed || task.status === VOICE_STATUS.failed;
  const result = task.result ?? {};
  const phrase =
    typeof result.phrase === "string"
      ? result.phrase
      : typeof task.input.phrase === "string"
        ? task.input.phrase
        : "";
  return {
    taskId: task.id,
    validateInfo: phrase,
    voiceId: typeof result.voiceId === "string" ? result.voiceId : "",
    status: task.status,
    errorCode: failed ? (task.errorCode ?? 500) : 0,
    errorMessage: failed ? (task.errorMessage ?? "") : "",
  };
}

/** The record its own endpoint answers for a task: validate-info for a validation task, record-info otherwise. */
export function voiceRecord(task: Task): Record<string, unknown> {
  const { validateInfo, voiceId, ...common } = voiceTaskRecord(task);
  return task.input.kind === "validation" ? { ...common, validateInfo } : { ...common, voiceId };
}
