import type { Simulation } from "./spec.js";

/**
 * The part of a simulation that concerns sending a message, kept with the message (JSON in `messages.simulate`):
 * `duplicates` deliveries still to repeat, and `badSignature`.
 */
export interface MessageSimulation {
  readonly duplicates: number;
  readonly badSignature: boolean;
}

/** The JSON a new message keeps for its task's simulation, or null when sending it simulates nothing. */
export function messageSimulation(sim: Simulation | null): string | null {
  if (!sim || (!sim.duplicates && !sim.badSignature)) return null;
  const out: MessageSimulation = { duplicates: sim.duplicates ?? 0, badSignature: sim.badSignature === true };
  return JSON.stringify(out);
}

/** Reads a message's simulation back; null for none or anything malformed (older rows' extra fields are ignored). */
export function readMessageSimulation(text: string | null): MessageSimulation | null {
  if (!text) return null;
  try {
    const v: unknown = JSON.parse(text);
    if (v === null || typeof v !== "object") return null;
    const duplicates = "duplicates" in v && typeof v.duplicates === "number" ? v.duplicates : 0;
    const badSignature = "badSignature" in v && v.badSignature === true;
    return { duplicates, badSignature };
  } catch {
    return null;
  }
}

/** The message's simulation once one repetition was queued: one fewer to go. */
export function afterRepeatQueued(sim: MessageSimulation): string {
  return JSON.stringify({ ...sim, duplicates: sim.duplicates - 1 });
}
