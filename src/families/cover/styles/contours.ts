/**
 * "Contours": an abstract, generative cover. Ridgelines run across the lower part, one per slice of the track,
 * each raised by that slice's loudness and rippled at a rate set by the tempo; brighter passages ripple finer.
 * The composition follows the track: as many ridges as the tempo is fast (few and calm without a beat), a range
 * as tall as the track is dynamic, starting as high as it is loud, tilted towards its treble or bass, peaking
 * where its loudest moment is. An orb rises behind them, as large as the track is loud, further right the
 * brighter it is: a sun for major keys, an eclipse for minor ones, a haloed moon without a beat. Specks of light,
 * as many as the track is noisy, fill the sky. Front ridges hide the ones behind, like a mountain range at dusk.
 */

import { type CoverStyle, n, type StyleInput, type StyleLayout, svgDocument } from "./style.js";
import { traitsOf } from "./traits.js";

const LEFT = 70;
const RIGHT = 930;
const STEP = 10;

/** A smooth path through points (quadratic curves through the midpoints). */
function smooth(points: readonly [number, number][]): string {
  let d = `M${n(points[0]![0])} ${n(points[0]![1])}`;
  for (let i = 1; i < points.length - 1; i++) {
    const [x, y] = points[i]!;
    const [nx, ny] = points[i + 1]!;
    d += `Q${n(x)} ${n(y)} ${n((x + nx) / 2)} ${n((y + ny) / 2)}`;
  }
  const last = points[points.length - 1]!;
  return `${d}L${n(last[0])} ${n(last[1])}`;
}

const clamp = (lo: number, hi: number, x: number) => Math.min(hi, Math.max(lo, x));

/** The composition of a contours cover (the first draws of the style's random). */
type ContoursLayout = {
  readonly ridges: number;
  /** Baseline of the first and last ridge at the middle, in units. */
  readonly top: number;
  readonly bottom: number;
  /** Ridge height, as a multiple of the gap between ridges per unit of loudness. */
  readonly amplitude: number;
  /** Ripples across the width. */
  readonly ripples: number;
  /** How much lower the right end is than the left, in units. */
  readonly slope: number;
  /** Where across (0–1) the ridges peak. */
  readonly peak: number;
  readonly orb: "sun" | "eclipse" | "halo";
  readonly orbX: number;
  readonly orbY: number;
  readonly orbR: number;
  readonly specks: number;
};

function layout({ features: f, random }: StyleInput): ContoursLayout {
  const t = traitsOf(f);
  const ridges =
    t.pace === null
      ? Math.round(7 + 7 * t.dynamic) + random.int(0, 2)
      : Math.round(12 + 20 * t.pace) + random.int(-2, 2);
  const top = Math.round(300 + 170 * (1 - t.loud) + random.range(-30, 30));
  const orbR = Math.round(90 + 170 * t.loud + random.range(0, 30));
  return {
    ridges,
    top,
    bottom: 900 + random.int(0, 40),
    amplitude: 0.55 + 1.1 * t.dynamic + random.range(0, 0.25),
    ripples: t.pace === null ? 0.6 + 2.2 * t.noisy : 1.5 + (60 + 140 * t.pace) / 45,
    slope: Math.round(t.tilt * 140 + random.range(-50, 50)),
    peak: clamp(0.15, 0.85, 0.2 + 0.6 * t.climax + random.range(-0.08, 0.08)),
    orb: t.pace === null ? "halo" : f.key.mode === "minor" ? "eclipse" : "sun",
    orbX: Math.round(clamp(180, 820, 500 + 520 * (t.bright - 0.5) + random.range(-120, 120))),
    orbY: Math.round(clamp(orbR * 0.6, top - 20, top - 40 - random.range(0.1, 0.6) * orbR)),
    orbR,
    specks: Math.round(40 + 360 * t.noisy * random.range(0.7, 1)),
  };
}

/** The orb and what its kind adds: a dark moon before it (eclipse) or rings (halo). */
function orb(l: ContoursLayout, ink: string, dynamic: number): { defs: string; body: string } {
  const circle = (extra = "") =>
    `<circle cx="${l.orbX}" cy="${l.orbY}" r="${l.orbR}" fill="url(#orb)"${extra}/>`;
  if (l.orb === "eclipse") {
    const bite = `<circle cx="${n(l.orbX + l.orbR * 0.14)}" cy="${n(l.orbY - l.orbR * 0.09)}" r="${n(l.orbR * 0.3)}" fill="#000" fill-opacity="0.92"/>`;
    return {
      defs: `<mask id="bite"><rect width="1000" height="1000" fill="#fff"/>${bite}</mask>`,
      body: circle(` mask="url(#bite)"`),
    };
  }
  if (l.orb === "halo") {
    const rings = 3 + Math.round(4 * dynamic);
    const body = [circle()];
    for (let i = 1; i <= rings; i++) {
      body.push(
        `<circle cx="${l.orbX}" cy="${l.orbY}" r="${n(l.orbR * (0.45 + 0.22 * i))}" fill="none" stroke="${ink}" stroke-opacity="${n(0.32 - (0.22 * i) / rings)}" stroke-width="1.5"/>`,
      );
    }
    return { defs: "", body: body.join("") };
  }
  return { defs: "", body: circle() };
}

async function compose(input: StyleInput): Promise<string> {
  const { features: f, palette: p, random } = input;
  const l = layout(input);
  const t = traitsOf(f);
  const gap = (l.bottom - l.top) / (l.ridges - 1);
  // Heights scale with the gap of a dense range: a sparse one (few ridges, a slow track) must not tower.
  const unit = Math.min(gap, 30);
  const colours = [p.primary, ...p.accents];
  const halo = orb(l, p.ink, t.dynamic);
  const defs = [
    `<linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${p.ground}"/><stop offset="0.75" stop-color="${p.ground2}"/><stop offset="1" stop-color="${p.ground}"/></linearGradient>`,
    `<radialGradient id="orb"><stop offset="0" stop-color="${p.ink}" stop-opacity="0.95"/><stop offset="0.35" stop-color="${p.primary}"/><stop offset="1" stop-color="${p.primary}" stop-opacity="0"/></radialGradient>`,
    `<radialGradient id="vignette" cx="0.5" cy="0.45" r="0.75"><stop offset="0.6" stop-color="#000" stop-opacity="0"/><stop offset="1" stop-color="#000" stop-opacity="0.55"/></radialGradient>`,
    halo.defs,
  ].join("");
  const body: string[] = [`<rect width="1000" height="1000" fill="url(#sky)"/>`];
  for (let i = 0; i < l.specks; i++) {
    const y = random.range(20, Math.max(60, l.top + 100)) ** 1.05;
    body.push(
      `<circle cx="${n(random.range(0, 1000))}" cy="${n(y)}" r="${n(random.range(0.6, 2.4))}" fill="${p.ink}" fill-opacity="${n(random.range(0.08, 0.6))}"/>`,
    );
  }
  body.push(halo.body);
  for (let i = 0; i < l.ridges; i++) {
    const slice = Math.min(f.envelope.length - 1, Math.floor((i / l.ridges) * f.envelope.length));
    const energy = f.envelope[slice] ?? 0.5;
    const fine = f.brightnessCurve[slice] ?? f.brightness;
    const centre = l.peak + random.range(-0.12, 0.12);
    const width = 0.14 + 0.12 * (1 - f.pulseClarity) + random.range(0, 0.06);
    const phases = [random.range(0, 6.28), random.range(0, 6.28), random.range(0, 6.28)];
    const baseAt = (u: number) => l.top + i * gap + l.slope * (u - 0.5);
    const points: [number, number][] = [];
    for (let x = LEFT; x <= RIGHT; x += STEP) {
      const u = (x - LEFT) / (RIGHT - LEFT);
      const bump = Math.exp(-(((u - centre) / width) ** 2));
      const ripple =
        Math.sin(u * l.ripples * 6.28 + phases[0]!) +
        0.5 * Math.sin(u * l.ripples * 2.1 * 6.28 + phases[1]!) +
        (0.2 + 2 * fine) * Math.sin(u * l.ripples * 4.3 * 6.28 + phases[2]!);
      const lift =
        unit * l.amplitude * (0.6 + 6 * energy) * bump * (0.55 + 0.45 * Math.abs(ripple)) +
        unit * 0.25 * (1 - bump) * Math.abs(ripple);
      points.push([x, baseAt(u) - lift]);
    }
    const outline = smooth(points);
    const colour = colours[Math.floor((i / l.ridges) * colours.length)]!;
    // The last ridge's shadow reaches the foot, so that a tilted range shows no sky below it.
    const foot = (u: number) => (i === l.ridges - 1 ? 1000 : baseAt(u) + gap * 2);
    body.push(
      `<path d="${outline}L${RIGHT} ${n(foot(1))}L${LEFT} ${n(foot(0))}Z" fill="${p.ground}" fill-opacity="0.94"/>`,
      `<path d="${outline}" fill="none" stroke="${colour}" stroke-width="${n(1.6 + 1.4 * (i / l.ridges))}" stroke-linecap="round" stroke-linejoin="round"/>`,
    );
  }
  body.push(`<rect width="1000" height="1000" fill="url(#vignette)"/>`);
  return svgDocument(defs, body.join(""));
}

export const contours: CoverStyle = {
  name: "contours",
  prompt:
    "abstract generative album cover: layered glowing ridgelines like a mountain range at dusk, a luminous orb behind them, fine specks of light, no text",
  layout: (input): StyleLayout => layout(input),
  compose,
};
