/** The typed arrays a {@link Column} can grow. */
type Words = Float32Array | Uint32Array;

/**
 * A growable column of numbers in a typed array (one value per analysis frame): frames arrive one by one and
 * their count is known only at the end, so the array doubles as needed and `done` trims it.
 */
export class Column<A extends Words> {
  private data: A;
  length = 0;
  constructor(private readonly make: (size: number) => A) {
    this.data = make(1024);
  }
  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = this.make(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }
  /** A copy of the values pushed so far, exactly as long. */
  done(): A {
    const out = this.make(this.length);
    out.set(this.data.subarray(0, this.length));
    return out;
  }
}

/** A column of 32-bit floats. */
export const floats = (): Column<Float32Array> => new Column((n) => new Float32Array(n));
/** A column of unsigned 32-bit words (values are stored modulo 2^32, as `>>> 0` gives them). */
export const wordColumn = (): Column<Uint32Array> => new Column((n) => new Uint32Array(n));
