import { refundCredits } from "../../credits/index.js";
import { HooklineError, isTransient, toError } from "../../lib/errors.js";
import type { Services } from "../../services/index.js";
import { simulatedCode } from "../../simulation/index.js";
import type { Family, Outcome, Task } from "../../tasks/index.js";
import { readStored } from "../stored.js";
import { releaseValidation, runGenerate } from "./generate.js";
import {
  GenerationInput,
  generateCallbackBody,
  VOICE_STATUS,
  validateCallbackBody,
  voiceFailureCode,
} from "./payload.js";
import { runRegenerate, runValidate } from "./validate.js";

/**
 * The voice family's engine side. A validation task (A) runs `validate`, then waits in `wait_validating`, where
 * `regenerate` may run on it again; a generate task (B) runs `generate` once. A failure of A is terminal
 * (`processing_validate_fail`); a failure of B (`fail`) gives A back for another try.
 */
export function createVoiceFamily(services: Services): Family {
  function failure(task: Task, thrown: Error): Outcome {
    const error = thrown instanceof HooklineError ? thrown : toError(thrown);
    const code = voiceFailureCode(error);
    // An internal error says nothing useful to a client and may say too much: keep it in the log.
    const message =
      code === 500 && simulatedCode(error) === null
        ? "Internal error while processing the voice task"
        : error.message;
    const failed = { code, message };
    if (task.input.kind === "generation") {
      const input = readStored(GenerationInput, task.input, "generation input");
      return {
        status: VOICE_STATUS.failed,
        errorCode: code,
        errorMessage: message,
        done: true,
        commit: async (trx) => {
          await releaseValidation(trx, input.validationTaskId, services.clock.now());
          // A paid generate that failed gives its credits back with the failure (spec 12.3).
          await refundCredits(trx, task);
        },
        callback: {
          event: "voice.failed",
          body: generateCallbackBody(task.id, VOICE_STATUS.failed, "", failed),
          signTaskId: task.id,
        },
      };
    }
    if (task.action === "regenerate") {
      // Drawing a phrase cannot fail on its input; if the action is abandoned, the phrase in hand stays valid.
      return { status: VOICE_STATUS.waiting, errorCode: 0, errorMessage: "", done: false };
    }
    return {
      status: VOICE_STATUS.validateFailed,
      errorCode: code,
      errorMessage: message,
      done: true,
      callback: {
        event: "voice.validate_failed",
        body: validateCallbackBody(task.id, VOICE_STATUS.validateFailed, "", failed),
        signTaskId: task.id,
      },
    };
  }

  return {
    name: "voice",
    async run(task, helpers) {
      try {
        switch (task.action) {
          case "validate":
            return await runValidate(services, task, helpers);
          case "regenerate":
            return runRegenerate(task);
          case "generate":
            return await runGenerate(services, task, helpers);
          default:
            throw new HooklineError("internal", `unknown voice action ${task.action}`);
        }
      } catch (thrown) {
        if (helpers.signal.aborted || isTransient(thrown)) throw thrown;
        const error = toError(thrown);
        if (error.code === "internal") helpers.log.error({ err: thrown }, "voice task failed");
        return failure(task, error);
      }
    },
    failed: failure,
  };
}
