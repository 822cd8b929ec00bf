/**
 * Reading PNGs in tests with an independent decoder (pngjs), and a perceptual hash to compare images as a person
 * would: the classic DCT pHash (grayscale, 32 × 32, the lowest 8 × 8 frequencies without the DC term, each bit =
 * above the median). Identical or re-encoded images are 0–4 bits apart, near-duplicates (resized, recoloured
 * slightly) under ~10; unrelated images average 32 of the 64 bits.
 */
import { PNG } from "pngjs";

/** A decoded PNG: size and RGBA bytes. */
export interface Decoded {
  width: number;
  height: number;
  rgba: Buffer;
}

/** Decodes a PNG (throws on anything that is not a valid PNG: signature, CRCs, zlib stream). */
export function decodePng(bytes: Buffer): Decoded {
  const png = PNG.sync.read(bytes);
  return { width: png.width, height: png.height, rgba: png.data };
}

/** Standard deviation of the luma over all pixels (0 for a blank image). */
export function lumaSpread(img: Decoded): number {
  let sum = 0;
  let sq = 0;
  const n = img.width * img.height;
  for (let i = 0; i < n; i++) {
    const y = 0.2126 * img.rgba[4 * i]! + 0.7152 * img.rgba[4 * i + 1]! + 0.0722 * img.rgba[4 * i + 2]!;
    sum += y;
    sq += y * y;
  }
  const mean = sum / n;
  return Math.sqrt(Math.max(0, sq / n - mean * mean));
}

/** The 64-bit DCT perceptual hash, as 64 booleans. */
export function perceptualHash(img: Decoded): boolean[] {
  const N = 32;
  const grey = new Float64Array(N * N);
  for (let by = 0; by < N; by++) {
    for (let bx = 0; bx < N; bx++) {
      const x0 = Math.floor((bx * img.width) / N);
      const x1 = Math.floor(((bx + 1) * img.width) / N);
      const y0 = Math.floor((by * img.height) / N);
      const y1 = Math.floor(((by + 1) * img.height) / N);
      let s = 0;
      for (let y = y0; y < y1; y++) {
        for (let x = x0; x < x1; x++) {
          const i = 4 * (y * img.width + x);
          s += 0.2126 * img.rgba[i]! + 0.7152 * img.rgba[i + 1]! + 0.0722 * img.rgba[i + 2]!;
        }
      }
      grey[by * N + bx] = s / Math.max(1, (x1 - x0) * (y1 - y0));
    }
  }
  const coefficients: number[] = [];
  for (let v = 0; v < 8; v++) {
    for (let u = 0; u < 8; u++) {
      let s = 0;
      for (let y = 0; y < N; y++) {
        for (let x = 0; x < N; x++) {
          s +=
            grey[y * N + x]! *
            Math.cos(((2 * x + 1) * u * Math.PI) / (2 * N)) *
            Math.cos(((2 * y + 1) * v * Math.PI) / (2 * N));
        }
      }
      coefficients.push(s);
    }
  }
  const ac = coefficients.slice(1);
  const median = [...ac].sort((a, b) => a - b)[ac.length >> 1]!;
  return coefficients.map((c) => c > median);
}

/** Bits that differ between two hashes. */
export function hammingDistance(a: readonly boolean[], b: readonly boolean[]): number {
  return a.reduce((d, bit, i) => d + (bit === b[i] ? 0 : 1), 0);
}
