import type { Simulation } from "./spec.js";

/**
 * The part of a simulation that concerns sending a message, kept with the message (JSON in `messages.simulate`):
 * `duplicates` deliveries still to repeat, `badSignature`, and `repeat` while a repetition is under way (its
 * first attempt is logged with the trigger `duplicate`).
 */
export interface MessageSimulation {
  readonly duplicates: number;
  readonly badSignature: boolean;
  readonly repeat: boolean;
}

/** The JSON a new message keeps for its task's simulation, or null when sending it simulates nothing. */
export function messageSimulation(sim: Simulation | null): string | null {
  if (!sim || (!sim.duplicates && !sim.badSignature)) return null;
  const out: MessageSimulation = {
    duplicates: sim.duplicates ?? 0,
    badSignature: sim.badSignature === true,
    repeat: false,
  };
  return JSON.stringify(out);
}

/** Reads a message's simulation back; null for none or anything malformed. */
export function readMessageSimulation(text: string | null): MessageSimulation | null {
  if (!text) return null;
  try {
    const v = JSON.parse(text) as Partial<MessageSimulation>;
    return {
      duplicates: typeof v.duplicates === "number" ? v.duplicates : 0,
      badSignature: v.badSignature === true,
      repeat: v.repeat === true,
    };
  } catch {
    return null;
  }
}

/** The message's simulation once one repetition was queued: one fewer to go, and the repetition under way. */
export function afterRepeatQueued(sim: MessageSimulation): string {
  return JSON.stringify({ ...sim, duplicates: sim.duplicates - 1, repeat: true });
}

/** The message's simulation once a repetition (or any new round) began: no repetition under way any more. */
export function withoutRepeat(sim: MessageSimulation): string {
  return JSON.stringify({ ...sim, repeat: false });
}
