/**
 * "Contours": an abstract, generative cover. Ridgelines run across the lower two thirds, one per slice of the
 * track, each raised by that slice's loudness and rippled at a rate set by the tempo; brighter passages ripple
 * finer. An orb of the key's colour rises behind them, as large as the track is loud; specks of light, as many as
 * the track is noisy, fill the sky. Front ridges hide the ones behind, like a mountain range at dusk.
 */
import { type CoverStyle, n, type StyleInput, svgDocument } from "./style.js";

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

async function compose({ features: f, palette: p, random }: StyleInput): Promise<string> {
  const lines = Math.round(14 + ((Math.min(200, Math.max(60, f.tempoBpm)) - 60) / 140) * 20);
  const top = 360;
  const bottom = 920;
  const gap = (bottom - top) / (lines - 1);
  const loud = Math.min(1, Math.max(0, (f.loudnessDb + 40) / 32));
  const colours = [p.primary, ...p.accents];
  const ripples = 1.5 + f.tempoBpm / 45;
  const defs = [
    `<linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${p.ground}"/><stop offset="0.75" stop-color="${p.ground2}"/><stop offset="1" stop-color="${p.ground}"/></linearGradient>`,
    `<radialGradient id="orb"><stop offset="0" stop-color="${p.ink}" stop-opacity="0.95"/><stop offset="0.35" stop-color="${p.primary}"/><stop offset="1" stop-color="${p.primary}" stop-opacity="0"/></radialGradient>`,
    `<radialGradient id="vignette" cx="0.5" cy="0.45" r="0.75"><stop offset="0.6" stop-color="#000" stop-opacity="0"/><stop offset="1" stop-color="#000" stop-opacity="0.55"/></radialGradient>`,
  ].join("");
  const body: string[] = [`<rect width="1000" height="1000" fill="url(#sky)"/>`];
  const specks = Math.round(50 + 350 * Math.min(1, f.noisiness * 20));
  for (let i = 0; i < specks; i++) {
    const y = random.range(20, 560) ** 1.05;
    body.push(
      `<circle cx="${n(random.range(0, 1000))}" cy="${n(y)}" r="${n(random.range(0.6, 2.4))}" fill="${p.ink}" fill-opacity="${n(random.range(0.08, 0.6))}"/>`,
    );
  }
  const orbR = 120 + 170 * loud;
  const orbX = random.range(260, 740);
  body.push(`<circle cx="${n(orbX)}" cy="${n(random.range(250, 330))}" r="${n(orbR)}" fill="url(#orb)"/>`);
  for (let i = 0; i < lines; i++) {
    const slice = Math.min(f.envelope.length - 1, Math.floor((i / lines) * f.envelope.length));
    const energy = f.envelope[slice] ?? 0.5;
    const fine = f.brightnessCurve[slice] ?? f.brightness;
    const centre = 0.5 + random.range(-0.12, 0.12);
    const width = 0.14 + 0.12 * (1 - f.pulseClarity) + random.range(0, 0.06);
    const phases = [random.range(0, 6.28), random.range(0, 6.28), random.range(0, 6.28)];
    const base = top + i * gap;
    const points: [number, number][] = [];
    for (let x = LEFT; x <= RIGHT; x += STEP) {
      const u = (x - LEFT) / (RIGHT - LEFT);
      const bump = Math.exp(-(((u - centre) / width) ** 2));
      const ripple =
        Math.sin(u * ripples * 6.28 + phases[0]!) +
        0.5 * Math.sin(u * ripples * 2.1 * 6.28 + phases[1]!) +
        (0.2 + 2 * fine) * Math.sin(u * ripples * 4.3 * 6.28 + phases[2]!);
      const lift =
        gap * (0.6 + 6 * energy) * bump * (0.55 + 0.45 * Math.abs(ripple)) +
        gap * 0.25 * (1 - bump) * Math.abs(ripple);
      points.push([x, base - lift]);
    }
    const outline = smooth(points);
    const colour = colours[Math.floor((i / lines) * colours.length)]!;
    body.push(
      `<path d="${outline}L${RIGHT} ${n(base + gap * 2)}L${LEFT} ${n(base + gap * 2)}Z" fill="${p.ground}" fill-opacity="0.94"/>`,
      `<path d="${outline}" fill="none" stroke="${colour}" stroke-width="${n(1.6 + 1.4 * (i / lines))}" stroke-linecap="round" stroke-linejoin="round"/>`,
    );
  }
  body.push(`<rect width="1000" height="1000" fill="url(#vignette)"/>`);
  return svgDocument(defs, body.join(""));
}

export const contours: CoverStyle = {
  name: "contours",
  prompt:
    "abstract generative album cover: layered glowing ridgelines like a mountain range at dusk, a luminous orb behind them, fine specks of light, no text",
  compose,
};
