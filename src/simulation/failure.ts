import { HooklineError } from "../lib/errors.js";
import type { SimulatedCode, Simulation } from "./spec.js";

/**
 * The error a simulated failure ends a task with. Families map it to its own code (not through their usual
 * table), so that the callback and the record carry exactly the code that was asked for.
 */
export class SimulatedFailure extends HooklineError {
  readonly callbackCode: SimulatedCode;
  constructor(code: SimulatedCode) {
    // The task keeps what to simulate, not who asked: a request's header or its key's standing setting.
    super(
      "internal",
      `Simulated failure ${code} (failure simulation: a Hookline-Simulate header, or the key's \`hookline keys simulate\` setting)`,
    );
    this.name = "SimulatedFailure";
    this.callbackCode = code;
  }
}

/** The code a family must answer for `error` when it is a simulated failure; null otherwise. */
export function simulatedCode(error: Error): SimulatedCode | null {
  return error instanceof SimulatedFailure ? error.callbackCode : null;
}

/** The failure a task must end with instead of running, when its simulation asks for one. */
export function simulatedFailureOf(sim: Simulation | null): SimulatedFailure | null {
  return sim?.fail === undefined ? null : new SimulatedFailure(sim.fail);
}
