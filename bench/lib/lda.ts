/**
 * Linear discriminant analysis for the speaker check's calibration: the directions in which voices differ most
 * relative to how much one voice varies (sentences, pitch, noise, codecs). Small dense linear algebra only:
 * a cyclic Jacobi eigensolver for symmetric matrices of a few dozen rows.
 */
import type { Projection } from "../../src/speech/index.js";

type Matrix = Float64Array[];

const zeros = (n: number): Matrix => Array.from({ length: n }, () => new Float64Array(n));

/** Eigenvalues (descending) and unit eigenvectors (as rows) of a symmetric matrix. */
export function symmetricEigen(input: Matrix): { values: number[]; vectors: Float64Array[] } {
  const n = input.length;
  const a = input.map((row) => Float64Array.from(row));
  const v = zeros(n);
  for (let i = 0; i < n; i++) v[i]![i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p]![q]! ** 2;
    if (off < 1e-20) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p]![q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q]![q]! - a[p]![p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k]![p]!;
          const akq = a[k]![q]!;
          a[k]![p] = c * akp - s * akq;
          a[k]![q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p]![k]!;
          const aqk = a[q]![k]!;
          a[p]![k] = c * apk - s * aqk;
          a[q]![k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k]![p]!;
          const vkq = v[k]![q]!;
          v[k]![p] = c * vkp - s * vkq;
          v[k]![q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[j]![j]! - a[i]![i]!);
  return {
    values: order.map((i) => a[i]![i]!),
    vectors: order.map((i) => Float64Array.from({ length: n }, (_, k) => v[k]![i]!)),
  };
}

/** One labelled statistics vector. */
export interface Labelled {
  readonly label: string;
  readonly x: Float64Array;
}

/**
 * Fits LDA: whitens the within-voice scatter (shrunk towards its diagonal by `shrink`), then keeps the `dims`
 * strongest between-voice directions. Returns the projection the server applies.
 */
export function fitLda(data: readonly Labelled[], dims: number, shrink = 0.05): Projection {
  const d = data[0]!.x.length;
  const mean = new Float64Array(d);
  for (const s of data) for (let k = 0; k < d; k++) mean[k] = mean[k]! + s.x[k]! / data.length;
  const groups = new Map<string, Float64Array[]>();
  for (const s of data) groups.set(s.label, [...(groups.get(s.label) ?? []), s.x]);
  const sw = zeros(d);
  const sb = zeros(d);
  for (const xs of groups.values()) {
    const m = new Float64Array(d);
    for (const x of xs) for (let k = 0; k < d; k++) m[k] = m[k]! + x[k]! / xs.length;
    for (const x of xs) {
      for (let i = 0; i < d; i++) {
        const di = x[i]! - m[i]!;
        for (let j = 0; j < d; j++) sw[i]![j] = sw[i]![j]! + (di * (x[j]! - m[j]!)) / data.length;
      }
    }
    for (let i = 0; i < d; i++) {
      const di = m[i]! - mean[i]!;
      for (let j = 0; j < d; j++)
        sb[i]![j] = sb[i]![j]! + (xs.length * di * (m[j]! - mean[j]!)) / data.length;
    }
  }
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) if (i !== j) sw[i]![j] = sw[i]![j]! * (1 - shrink);
  }
  const w = symmetricEigen(sw);
  // P = Λ^-1/2 Vᵀ whitens the within-voice scatter.
  const p = w.vectors.map((vec, i) => vec.map((x) => x / Math.sqrt(Math.max(w.values[i]!, 1e-12))));
  const sbw = zeros(d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let a = 0; a < d; a++) {
        let t = 0;
        for (let b = 0; b < d; b++) t += sb[a]![b]! * p[j]![b]!;
        s += p[i]![a]! * t;
      }
      sbw[i]![j] = s;
    }
  }
  const b = symmetricEigen(sbw);
  const rows = Math.min(dims, d);
  const matrix: number[] = [];
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < d; k++) {
      let s = 0;
      for (let i = 0; i < d; i++) s += b.vectors[r]![i]! * p[i]![k]!;
      matrix.push(s);
    }
  }
  return { mean: [...mean], matrix, rows };
}

/** Equal error rate and its threshold from same-voice and different-voice scores. */
export function equalErrorRate(same: readonly number[], different: readonly number[]) {
  const all = [...same.map((s) => ({ s, same: true })), ...different.map((s) => ({ s, same: false }))].sort(
    (a, b) => a.s - b.s,
  );
  // Sweep the threshold upwards: below it, a same pair is a false reject; at or above, a different pair is a
  // false accept.
  let rejected = 0;
  let accepted = different.length;
  let best = { eer: 1, threshold: 0, far: 1, frr: 0 };
  for (const t of all) {
    const far = accepted / different.length;
    const frr = rejected / same.length;
    const gap = Math.abs(far - frr);
    if (gap < Math.abs(best.far - best.frr)) best = { eer: (far + frr) / 2, threshold: t.s, far, frr };
    if (t.same) rejected++;
    else accepted--;
  }
  return best;
}

/** Rates at a fixed threshold (accept when score ≥ threshold). */
export function ratesAt(same: readonly number[], different: readonly number[], threshold: number) {
  return {
    far: different.filter((s) => s >= threshold).length / different.length,
    frr: same.filter((s) => s < threshold).length / same.length,
    falseAccepts: different.filter((s) => s >= threshold).length,
    falseRejects: same.filter((s) => s < threshold).length,
  };
}

/** The lowest threshold whose false-accept rate is at most `far` on these scores. */
export function thresholdForFar(different: readonly number[], far: number): number {
  const sorted = [...different].sort((a, b) => b - a);
  const allowed = Math.floor(far * sorted.length);
  return (sorted[allowed] ?? -1) + 1e-9;
}
