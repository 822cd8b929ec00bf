/**
 * Failure simulation for people testing their receivers: chosen failure codes, delays, repeated and badly signed
 * callbacks, per request or per API key, never across keys.
 * @module
 */
export { SimulatedFailure, simulatedCode, simulatedFailureOf } from "./failure.js";
export {
  formatSimulation,
  MAX_DELAY_S,
  MAX_DUPLICATES,
  parseSimulation,
  SIMULATE_HEADER,
  SIMULATED_CODES,
  SIMULATION_FIELD,
  type SimulatedCode,
  type Simulation,
  simulationInput,
  simulationOfInput,
} from "./spec.js";
export { simulatingFamily, simulationSender } from "./wrap.js";
