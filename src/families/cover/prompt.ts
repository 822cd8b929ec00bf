import { type AudioFeatures, keyName } from "../../media/analysis/index.js";
import type { CoverStyle } from "./styles/index.js";

const HUE_NAMES: readonly [number, string][] = [
  [20, "crimson"],
  [50, "amber"],
  [80, "gold"],
  [120, "olive green"],
  [160, "emerald"],
  [200, "teal"],
  [240, "azure"],
  [280, "indigo"],
  [320, "violet"],
  [360, "magenta"],
];

/** A colour word for a hue in degrees. */
export function hueName(hue: number): string {
  const h = ((hue % 360) + 360) % 360;
  return HUE_NAMES.find(([limit]) => h < limit)?.[1] ?? "crimson";
}

/**
 * The prompt sent to an image-generation service: the style's own description, the title, and what the analysis
 * heard (key, tempo, energy, brightness), so that the service's picture follows the same track as the local one.
 *
 * @example
 * coverPrompt(poster, "Night Drive", features, 110)
 * // "typographic Swiss-style music poster: … Album cover for the track "Night Drive": A minor, 124 BPM, …"
 */
export function coverPrompt(style: CoverStyle, title: string, f: AudioFeatures, hue: number): string {
  const energy =
    f.loudnessDb > -14 ? "loud and driving" : f.loudnessDb > -24 ? "steady" : "quiet and intimate";
  const tone = f.brightness > 0.2 ? "bright, airy" : f.brightness > 0.08 ? "warm" : "dark, deep";
  const pace = f.tempoBpm >= 140 ? "fast" : f.tempoBpm >= 100 ? "mid-tempo" : "slow";
  const mood = f.key.mode === "minor" ? "melancholic" : "uplifting";
  return [
    `${style.prompt}.`,
    `Album cover for the track "${title.replace(/["\n\r]/g, " ").slice(0, 200)}":`,
    `${keyName(f.key).replace("♯", " sharp").replace("♭", " flat")}, ${Math.round(f.tempoBpm)} BPM, ${pace}, ${energy}, ${tone} sound, ${mood} mood.`,
    `Palette led by ${hueName(hue)}. Square format, no watermark.`,
  ].join(" ");
}
