// exp, tanh and erf for the JS backend's activations and losses: the twins of assembly/math.ts.
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

// erf(x), for the exact GELU x·Φ(x) = x·(1 + erf(x/√2))/2, from our own Chebyshev fits
// (scripts/erf-fit.py prints this table; assembly/math.ts holds the same one):
//   |x| < 1:      x·P0(x²)                     (P0 fits erf(√z)/√z on z ∈ [0, 1])
//   1 ≤ |x| < 6:  1 − e^{−x²}·Pk(|x| − ck)     (Pk fits erfc(x)·e^{x²} on [1, 2], [2, 3.5], [3.5, 6])
//   |x| ≥ 6:      1                            (erfc(6) ≈ 2e−17 is below half an ulp of 1)
// Each fit is within 1e−17 of erf; the whole routine is within 1 ulp of 3,200 correctly rounded
// values (test/backends.test.ts, scripts/erf-reference.py). Coefficients highest degree first;
// the polynomials start at ERF_START[k] and end where the next one starts.
const ERF_C = new Float64Array([
  5.957176147748911e-11, -1.1372848856791674e-09, 1.4659775274047436e-08, -1.6350312701054695e-07, 1.6461000484121368e-06, -1.4925595266831182e-05, 0.0001205533111164271, -0.000854832698083379, 0.0052239776248180145, -0.026866170645076792, 0.11283791670954879, -0.3761263890318375, 1.1283791670955126,
  -4.932844202000261e-08, 1.8038197652346406e-07, -5.946998373950516e-07, 2.061689065129881e-06, -6.975285854904505e-06, 2.286543658874603e-05, -7.265888759557882e-05, 0.00022330981211640024, -0.0006619300686179933, 0.0018861348854630824, -0.005145957547915988, 0.013377340952802835, -0.03293090529956347, 0.07615103985548055, -0.16362291773256007, 0.3215854164543175,
  1.8069520510416326e-09, -8.01181001890603e-09, 3.105710607611476e-08, -1.3192706697647487e-07, 5.520418140550562e-07, -2.247676321583971e-06, 8.940140785092413e-06, -3.469853951374473e-05, 0.00013118180233874277, -0.0004821950932829294, 0.001719581885194874, -0.005934337896564839, 0.019758592987324287, -0.06323763756064137, 0.1936620962790687,
  -1.2397154955686125e-09, 7.185117567525625e-09, -3.5308951693218504e-08, 1.9859009944209772e-07, -1.1118029273174716e-06, 6.082510682228709e-06, -3.277569444797808e-05, 0.00017392778941474965, -0.000908098908675339, 0.004661326438113046, -0.023503448597910273, 0.11630270720874594
]);

export function erf(x: number): number {
  const y = Math.abs(x);
  let r: number;
  if (y >= 6) {
    r = 1;
  } else if (y >= 1) {
    const k = y < 2 ? 0 : y < 3.5 ? 1 : 2;
    const t = y - (k === 0 ? 1.5 : k === 1 ? 2.75 : 4.75);
    const end = k === 0 ? 29 : k === 1 ? 44 : 56;
    let i = k === 0 ? 13 : k === 1 ? 29 : 44;
    let p = ERF_C[i]!;
    for (i++; i < end; i++) p = p * t + ERF_C[i]!;
    r = 1 - exp(-y * y) * p;
  } else {
    if (x === 0) return x; // keeps −0
    const z = y * y;
    let p = ERF_C[0]!;
    for (let i = 1; i < 13; i++) p = p * z + ERF_C[i]!;
    r = y * p; // NaN stays NaN
  }
  return x < 0 ? -r : r;
}
