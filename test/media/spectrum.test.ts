import { describe, expect, it } from "vitest";
import { binFrequency, createStft, hannWindow } from "../../src/media/spectrum.js";

/** A naive DFT of the Hann-windowed frame: the independent reference for the FFT. */
function naivePower(frame: Float64Array): Float64Array {
  const n = frame.length;
  const w = hannWindow(n);
  const out = new Float64Array(n / 2 + 1);
  for (let k = 0; k <= n / 2; k++) {
    let re = 0;
    let im = 0;
    for (let t = 0; t < n; t++) {
      const x = frame[t]! * w[t]!;
      re += x * Math.cos((2 * Math.PI * k * t) / n);
      im -= x * Math.sin((2 * Math.PI * k * t) / n);
    }
    out[k] = re * re + im * im;
  }
  return out;
}

function signal(length: number): Float32Array {
  const s = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    s[i] = 0.5 * Math.sin((2 * Math.PI * 1000 * i) / 16_000) + 0.2 * Math.sin(i * 0.37 + Math.cos(i * 0.011));
  }
  return s;
}

describe("createStft", () => {
  it("matches a naive DFT on every frame, whatever the chunking", () => {
    const size = 64;
    const hop = 24;
    const x = signal(1000);
    const expected: Float64Array[] = [];
    for (let start = 0; start + size <= x.length; start += hop) {
      expected.push(naivePower(Float64Array.from(x.subarray(start, start + size))));
    }
    for (const chunk of [1, 7, 64, 333, 1000]) {
      const stft = createStft({ size, hop });
      const got: Float32Array[] = [];
      for (let i = 0; i < x.length; i += chunk) {
        stft.push(x.subarray(i, i + chunk), (power, index) => {
          expect(index).toBe(got.length);
          got.push(power.slice());
        });
      }
      expect(got.length).toBe(expected.length);
      expect(stft.frames).toBe(expected.length);
      for (let f = 0; f < got.length; f++) {
        for (let k = 0; k <= size / 2; k++) {
          expect(got[f]![k]).toBeCloseTo(expected[f]![k]!, 2);
        }
      }
    }
  });

  it("puts a pure tone's energy in its bin", () => {
    const rate = 16_000;
    const stft = createStft({ size: 512, hop: 512 });
    const tone = new Float32Array(4096).map((_, i) => Math.sin((2 * Math.PI * 1500 * i) / rate));
    let peakBin = -1;
    stft.push(tone, (power) => {
      peakBin = power.indexOf(Math.max(...power));
    });
    expect(Math.abs(binFrequency(peakBin, 512, rate) - 1500)).toBeLessThan(rate / 512);
  });

  it("refuses sizes that are not powers of two and hops out of range", () => {
    expect(() => createStft({ size: 100, hop: 50 })).toThrow(RangeError);
    expect(() => createStft({ size: 64, hop: 0 })).toThrow(RangeError);
    expect(() => createStft({ size: 64, hop: 65 })).toThrow(RangeError);
  });
});
