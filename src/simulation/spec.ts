/**
 * Failure simulation (issue 5): a way for a developer to make their own tasks fail with a chosen code, finish
 * late, call back more than once, or call back with a bad signature, so that they can test a receiver's error
 * handling and idempotency without waiting for real failures. It is asked for per request (the
 * `Hookline-Simulate` header) or per API key (`hookline keys simulate`), and touches only that key's tasks.
 * @module
 */
import { HooklineError } from "../lib/errors.js";

/** The request header that asks for a simulation. */
export const SIMULATE_HEADER = "hookline-simulate";

/** The failure codes a task can be made to end with (the union of the families' callback codes). */
export const SIMULATED_CODES = [400, 408, 451, 500, 501, 531] as const;
export type SimulatedCode = (typeof SIMULATED_CODES)[number];

/** The longest delay and the most extra deliveries a simulation may ask for. */
export const MAX_DELAY_S = 3600;
export const MAX_DUPLICATES = 5;

/** What a task is asked to simulate; every part is optional and they combine. */
export interface Simulation {
  /** End the task failed with this callback and record code, instead of doing the work. */
  readonly fail?: SimulatedCode;
  /** Hold the task this long before it runs (its completion comes that much later). */
  readonly delayS?: number;
  /** Deliver each callback this many extra times, with the same message id, after it was delivered. */
  readonly duplicates?: number;
  /** Sign the callbacks with a wrong key, so that a receiver's verification must refuse them. */
  readonly badSignature?: boolean;
}

const USAGE = `expected a comma-separated list of fail=${SIMULATED_CODES.join("|")}, delay=SECONDS (≤ ${MAX_DELAY_S}), duplicate=N (1–${MAX_DUPLICATES}) and bad-signature`;

function bad(text: string): never {
  throw new HooklineError("bad_request", `Hookline-Simulate "${text}": ${USAGE}`);
}

/**
 * Reads a simulation from its text form, e.g. `fail=501, delay=10, duplicate=2, bad-signature`. An empty text
 * or `off` is no simulation (null). Anything else that does not parse is a `bad_request` with the grammar.
 *
 * @example
 * parseSimulation("fail=408,duplicate=1"); // { fail: 408, duplicates: 1 }
 */
export function parseSimulation(text: string): Simulation | null {
  const trimmed = text.trim();
  if (trimmed === "" || trimmed.toLowerCase() === "off") return null;
  const out: { -readonly [K in keyof Simulation]: Simulation[K] } = {};
  // Empty parts (a trailing comma, words joined from a command line) are skipped.
  for (const part of trimmed.split(/[,;]/).filter((p) => p.trim() !== "")) {
    const [rawName, rawValue, ...rest] = part.split("=").map((s) => s.trim());
    const name = (rawName ?? "").toLowerCase();
    if (rest.length > 0) bad(text);
    const value = rawValue === undefined ? undefined : Number(rawValue);
    switch (name) {
      case "fail":
        if (!SIMULATED_CODES.includes(value as SimulatedCode)) bad(text);
        out.fail = value as SimulatedCode;
        break;
      case "delay":
        if (value === undefined || !Number.isFinite(value) || value < 0 || value > MAX_DELAY_S) bad(text);
        out.delayS = value;
        break;
      case "duplicate":
      case "duplicates":
        if (value === undefined || !Number.isInteger(value) || value < 1 || value > MAX_DUPLICATES) bad(text);
        out.duplicates = value;
        break;
      case "bad-signature":
        if (rawValue !== undefined) bad(text);
        out.badSignature = true;
        break;
      default:
        bad(text);
    }
  }
  return out;
}

/** The text form of a simulation (what `parseSimulation` reads back). */
export function formatSimulation(sim: Simulation | null): string {
  if (!sim) return "off";
  const parts: string[] = [];
  if (sim.fail !== undefined) parts.push(`fail=${sim.fail}`);
  if (sim.delayS !== undefined) parts.push(`delay=${sim.delayS}`);
  if (sim.duplicates !== undefined) parts.push(`duplicate=${sim.duplicates}`);
  if (sim.badSignature) parts.push("bad-signature");
  return parts.join(",") || "off";
}

/** The field of a task's input that keeps the simulation asked for with it (its text form). */
export const SIMULATION_FIELD = "simulate";

/**
 * A new task's input with its simulation kept in it (read back by the runner's wrapper, `simulatingFamily`), and
 * how long its delay holds the task back.
 */
export function simulationInput(
  input: Readonly<Record<string, unknown>>,
  sim: Simulation | null,
): { readonly input: Record<string, unknown>; readonly delayMs: number } {
  if (!sim) return { input: { ...input }, delayMs: 0 };
  return {
    input: { ...input, [SIMULATION_FIELD]: formatSimulation(sim) },
    delayMs: Math.round((sim.delayS ?? 0) * 1000),
  };
}

/** Reads back a simulation stored with a task (its input's `simulate` field), ignoring anything malformed. */
export function simulationOfInput(input: Readonly<Record<string, unknown>>): Simulation | null {
  const value = input[SIMULATION_FIELD];
  if (typeof value !== "string") return null;
  try {
    return parseSimulation(value);
  } catch {
    return null;
  }
}
