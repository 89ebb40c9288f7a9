// exp and tanh for the JS backend's activations and losses: the twins of assembly/math.ts.
// Both are ours rather than the engine's: V8's Math.exp and Math.tanh are calls into C (a
// fifth of a tiny tanh network's epoch), and engines differ in their last bits.

// exp(x) = 2^e · 2^(i/128) · e^r, where x·128/ln2 rounds to k = 128·e + i and
// r = x − k·ln2/128 (|r| ≤ ln2/256, so e^r − 1 is a degree-5 Taylor polynomial to within
// 2⁻⁶⁰). The table holds each 2^(i/128) as hi + lo (lo: what hi misses), computed exactly
// below with integer arithmetic; the result is within 1 ulp of the truth and almost always
// correctly rounded (8 of 8,000 mpmath-checked points are 1 ulp off; V8's Math.exp: 760).
const N = 128;
const TABLE_HI = new Float64Array(N);
const TABLE_LO = new Float64Array(N);
/** 2^e for every exponent a result below 2^1023 can have, indexed by e + 1022 */
const POWERS_OF_TWO = new Float64Array(2046);
{
  const bits = 160n; // fixed point with 160 fraction bits: far beyond what hi + lo can hold
  const one = 1n << bits;
  const sqrt = (n: bigint): bigint => {
    let x = BigInt(Math.floor(Math.sqrt(Number(n)))); // within a few ulps; Newton from there
    for (;;) {
      const y = (x + n / x) >> 1n;
      if (y === x || y === x + 1n) return x * x > n ? x - 1n : x;
      x = y;
    }
  };
  let root = 2n * one; // 2^(1/128): seven square roots of 2
  for (let i = 0; i < 7; i++) root = sqrt(root * one);
  const scale = 2 ** Number(bits);
  for (let i = 0, t = one; i < N; i++, t = (t * root) >> bits) {
    const hi = Number(t) / scale; // Number() rounds to nearest; dividing by 2^160 is exact
    TABLE_HI[i] = hi;
    TABLE_LO[i] = Number(t - BigInt(hi * scale)) / scale;
  }
  for (let e = -1022; e <= 1023; e++) POWERS_OF_TWO[e + 1022] = 2 ** e;
}
const N_OVER_LN2 = N / Math.LN2;
// ln2/128 split so that k·LN2_HI is exact for |k| < 2^20 (Cody and Waite)
const LN2_HI = 0.6931471803691238 / N;
const LN2_LO = 1.9082149292705877e-10 / N;

export function exp(x: number): number {
  if (!(Math.abs(x) < 708)) return Math.exp(x); // overflow, subnormal results, NaN
  const k = Math.round(x * N_OVER_LN2);
  const r = x - k * LN2_HI - k * LN2_LO;
  const p = r + r * r * (0.5 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120)))); // e^r − 1
  const i = k & (N - 1);
  const hi = TABLE_HI[i]!;
  return POWERS_OF_TWO[(k >> 7) + 1022]! * (hi + (TABLE_LO[i]! + hi * p));
}

// tanh(x) = x + x·z·P(z)/Q(z), z = x², for |x| < 0.625 (Cephes' published rational
// approximation), else 1 − 2/(e^{2|x|} + 1), which has no cancellation there. Within 1 ulp of
// the truth, where V8's Math.tanh is within 2; assembly/math.ts computes the same formula.
const TANH_P0 = -9.64399179425052238628e-1;
const TANH_P1 = -9.92877231001918586564e1;
const TANH_P2 = -1.61468768441708447952e3;
const TANH_Q0 = 1.12811678491632931402e2;
const TANH_Q1 = 2.23548839060100448583e3;
const TANH_Q2 = 4.84406305325125486048e3;

export function tanh(x: number): number {
  const y = Math.abs(x);
  if (y < 0.625) {
    if (x === 0) return x; // keeps −0 (the formula would give +0)
    const z = x * x;
    return x + x * z * (((TANH_P0 * z + TANH_P1) * z + TANH_P2) / (((z + TANH_Q0) * z + TANH_Q1) * z + TANH_Q2));
  }
  const t = y > 22 ? 1 : 1 - 2 / (exp(2 * y) + 1); // NaN stays NaN
  return x > 0 ? t : -t;
}
