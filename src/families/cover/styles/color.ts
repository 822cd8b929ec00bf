/**
 * Colours in OKLCH (perceptually even lightness and chroma, so palettes built by rule look balanced), converted to
 * sRGB hex for SVG.
 */

/** A colour as lightness 0–1, chroma 0–~0.37 and hue in degrees. */
export interface Oklch {
  readonly l: number;
  readonly c: number;
  readonly h: number;
}

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

function linearToSrgb(x: number): number {
  return x <= 0.0031308 ? 12.92 * x : 1.055 * x ** (1 / 2.4) - 0.055;
}

function toRgb({ l, c, h }: Oklch): [number, number, number] {
  const a = c * Math.cos((h * Math.PI) / 180);
  const b = c * Math.sin((h * Math.PI) / 180);
  const l_ = (l + 0.3963377774 * a + 0.2158037573 * b) ** 3;
  const m_ = (l - 0.1055613458 * a - 0.0638541728 * b) ** 3;
  const s_ = (l - 0.0894841775 * a - 1.291485548 * b) ** 3;
  return [
    4.0767416621 * l_ - 3.3077115913 * m_ + 0.2309699292 * s_,
    -1.2684380046 * l_ + 2.6097574011 * m_ - 0.3413193965 * s_,
    -0.0041960863 * l_ - 0.7034186147 * m_ + 1.707614701 * s_,
  ];
}

/**
 * The sRGB hex of an OKLCH colour. Out-of-gamut colours lose chroma (not lightness or hue) until they fit, which
 * keeps the palette's light–dark structure.
 */
export function hex(color: Oklch): string {
  let c = color.c;
  let rgb = toRgb({ ...color, c });
  for (let i = 0; i < 24 && rgb.some((v) => v < -0.0005 || v > 1.0005); i++) {
    c *= 0.9;
    rgb = toRgb({ ...color, c });
  }
  const to255 = (v: number) =>
    Math.round(clamp01(linearToSrgb(clamp01(v))) * 255)
      .toString(16)
      .padStart(2, "0");
  return `#${rgb.map(to255).join("")}`;
}
