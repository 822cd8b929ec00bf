/** A growable Float32 series (per-frame values of unknown count), and the reductions the analysis needs. */
export class Series {
  #data = new Float32Array(1024);
  #length = 0;

  push(value: number): void {
    if (this.#length === this.#data.length) {
      const bigger = new Float32Array(this.#data.length * 2);
      bigger.set(this.#data);
      this.#data = bigger;
    }
    this.#data[this.#length++] = value;
  }

  get length(): number {
    return this.#length;
  }

  /** The values (a view; valid until the next push). */
  values(): Float32Array {
    return this.#data.subarray(0, this.#length);
  }
}

/**
 * Splits `values` into `points` equal segments and reduces each with the (optionally weighted) mean. Segments of
 * a series shorter than `points` repeat its values, so short tracks still give `points` numbers.
 */
export function segmentMeans(values: Float32Array, points: number, weights?: Float32Array): number[] {
  const n = values.length;
  const out: number[] = [];
  for (let p = 0; p < points; p++) {
    const from = Math.floor((p * n) / points);
    const to = Math.max(from + 1, Math.floor(((p + 1) * n) / points));
    let sum = 0;
    let weight = 0;
    for (let i = from; i < Math.min(to, n); i++) {
      const w = weights ? weights[i]! : 1;
      sum += values[i]! * w;
      weight += w;
    }
    out.push(weight > 0 ? sum / weight : 0);
  }
  return out;
}

/** The p-th percentile (0–100) by sorting a copy; NaN for no values. */
export function percentile(values: Float32Array, p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float32Array.from(values).sort();
  const at = Math.min(sorted.length - 1, Math.max(0, Math.round((p / 100) * (sorted.length - 1))));
  return sorted[at]!;
}
