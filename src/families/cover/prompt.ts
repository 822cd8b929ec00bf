import { type AudioFeatures, keyName } from "../../media/analysis/index.js";
import type { CoverText } from "./art.js";
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

/** Tag text inside the prompt's quotes: no quotes or line breaks of its own. */
const quoted = (text: string) => text.replace(/["\n\r]/g, " ").slice(0, 200);

/**
 * The prompt sent to an image-generation service: the style's own description, the title (and artist), and what
 * the analysis heard (key, tempo when there is a beat, energy, brightness), so that the service's picture follows
 * the same track as the local one.
 *
 * @example
 * coverPrompt(poster, { title: "Night Drive", artist: null }, features, 110)
 * // "typographic Swiss-style music poster: … Album cover for the track "Night Drive": A minor, 124 BPM, …"
 */
export function coverPrompt(style: CoverStyle, text: CoverText, f: AudioFeatures, hue: number): string {
  const energy =
    f.loudnessDb > -14 ? "loud and driving" : f.loudnessDb > -24 ? "steady" : "quiet and intimate";
  const tone = f.brightness > 0.2 ? "bright, airy" : f.brightness > 0.08 ? "warm" : "dark, deep";
  const pace =
    f.tempoBpm === null
      ? ["no beat", "free-flowing"]
      : [
          `${Math.round(f.tempoBpm)} BPM`,
          f.tempoBpm >= 140 ? "fast" : f.tempoBpm >= 100 ? "mid-tempo" : "slow",
        ];
  const mood = f.key.mode === "minor" ? "melancholic" : "uplifting";
  const by = text.artist ? ` by "${quoted(text.artist)}"` : "";
  return [
    `${style.prompt}.`,
    `Album cover for the track "${quoted(text.title)}"${by}:`,
    `${[keyName(f.key).replace("♯", " sharp").replace("♭", " flat"), ...pace, energy, `${tone} sound`, `${mood} mood`].join(", ")}.`,
    `Palette led by ${hueName(hue)}. Square format, no watermark.`,
  ].join(" ");
}
