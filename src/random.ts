// The one seeded generator behind initialisation and shuffling: sfc32 (Chris Doty-Humphrey's
// Small Fast Counting generator), seeded through splitmix32. Only 32-bit integer operations,
// so the same seed gives the same numbers in every JavaScript engine.

export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  /** The state as shuffleOrder takes it. */
  private readonly scratch = new Float64Array(4);

  constructor(seed: number) {
    let s = seed >>> 0;
    const next = (): number => {
      // splitmix32: spreads a small seed over the whole state.
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** The generator's four state words (for saving). */
  getState(): number[] {
    return [this.a >>> 0, this.b >>> 0, this.c >>> 0, this.d >>> 0];
  }

  /** Restores what getState returned. */
  setState(state: readonly number[]): void {
    this.a = state[0]! | 0;
    this.b = state[1]! | 0;
    this.c = state[2]! | 0;
    this.d = state[3]! | 0;
  }

  /** Writes the four state words to heap[at .. at+3] (for a kernel that draws from it). */
  saveState(heap: Float64Array, at: number): void {
    heap[at] = this.a >>> 0;
    heap[at + 1] = this.b >>> 0;
    heap[at + 2] = this.c >>> 0;
    heap[at + 3] = this.d >>> 0;
  }

  /** Takes back the state a kernel advanced (see saveState). */
  loadState(heap: Float64Array, at: number): void {
    this.a = heap[at]! | 0;
    this.b = heap[at + 1]! | 0;
    this.c = heap[at + 2]! | 0;
    this.d = heap[at + 3]! | 0;
  }

  /** Uniform integer in [0, 2³²). */
  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  nextFloat(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform double in [low, high). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.nextFloat();
  }

  /** Uniform integer in [0, n) without modulo bias (n ≤ 2³²): draws at or above the largest
   *  multiple of n below 2³² are rejected (only draws ≥ 2³² − n can be, so the exact limit is
   *  computed for those alone; the kernels' shuffles do the same). */
  nextInt(n: number): number {
    let x: number;
    do x = this.nextUint32();
    while (x >= 4294967296 - n && x >= 4294967296 - (4294967296 % n));
    return x - Math.floor(x / n) * n; // x % n, without V8's float remainder for a uint32 x
  }

  /** Fisher–Yates shuffle of `order` in place, each j drawn as nextInt(i + 1) would. */
  shuffle(order: Float64Array): void {
    this.saveState(this.scratch, 0);
    shuffleOrder(order, 0, order.length, this.scratch, 0);
    this.loadState(this.scratch, 0);
  }
}

/** Fisher–Yates shuffle of the indices order[start .. start+count), from the end, with the
 *  sfc32 state words held as f64s at state[at .. at+3] (advanced in place): each j is a
 *  uniform draw in [0, i] as Random.nextInt(i + 1) makes it. Random.shuffle and the JS
 *  backend's epoch (whose state lives in the network description) both use it; the wasm core
 *  has its twin in assembly/epoch.ts. The state stays in locals meanwhile: a uint32 returned
 *  from a call that a tier did not inline is a heap number, an allocation per element (seen on
 *  Node 24). */
export function shuffleOrder(order: Float64Array, start: number, count: number, state: Float64Array, at: number): void {
  let a = state[at]! | 0;
  let b = state[at + 1]! | 0;
  let c = state[at + 2]! | 0;
  let d = state[at + 3]! | 0;
  for (let i = count - 1; i > 0; i--) {
    const n = i + 1;
    let t: number;
    do {
      t = (((a + b) | 0) + d) | 0;
      d = (d + 1) | 0;
      a = b ^ (b >>> 9);
      b = (c + (c << 3)) | 0;
      c = (c << 21) | (c >>> 11);
      c = (c + t) | 0;
    } while (t >>> 0 >= 4294967296 - n && t >>> 0 >= 4294967296 - (4294967296 % n)); // rejection: no modulo bias
    const u = t >>> 0;
    const j = start + (u - Math.floor(u / n) * n); // u % n, without V8's float remainder for a uint32 u
    const swap = order[start + i]!;
    order[start + i] = order[j]!;
    order[j] = swap;
  }
  state[at] = a >>> 0;
  state[at + 1] = b >>> 0;
  state[at + 2] = c >>> 0;
  state[at + 3] = d >>> 0;
}

/** A seed for users who did not pass one (kept on the network as `net.seed`). */
export function randomSeed(): number {
  return Math.floor(Math.random() * 4294967296) >>> 0;
}
