import type { FastifyRequest } from "fastify";
import { HooklineError } from "../lib/errors.js";
import { parseSimulation, SIMULATE_HEADER, type Simulation } from "../simulation/index.js";
import { keyOf } from "./auth.js";

/**
 * The failure simulation a task-creating request asks for: its `Hookline-Simulate` header, else its key's standing
 * setting (`hookline keys simulate`), else none. The header wins, so `Hookline-Simulate: off` runs one request of
 * a simulating key for real. With simulation turned off on the server the header is refused (400 / 422) and key
 * settings are ignored, so that a production server never fails work on purpose.
 */
export function simulationOf(request: FastifyRequest, enabled: boolean): Simulation | null {
  const header = request.headers[SIMULATE_HEADER];
  if (header !== undefined) {
    if (!enabled) {
      throw new HooklineError(
        "bad_request",
        "Failure simulation is turned off on this server (HOOKLINE_SIMULATION=off): remove the Hookline-Simulate header",
      );
    }
    return parseSimulation(Array.isArray(header) ? header.join(",") : header);
  }
  const standing = keyOf(request).simulate;
  if (!enabled || !standing) return null;
  try {
    return parseSimulation(standing);
  } catch {
    // Stored through `keys simulate`, which parses it first; anything else is not a simulation.
    return null;
  }
}
