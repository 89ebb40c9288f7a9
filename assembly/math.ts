// exp, tanh and erf for the activations and losses. AssemblyScript's Math chooses musl's
// table-driven exp (faster, and within half an ulp or so) only when a build optimises for speed
// alone (shrinkLevel 0); the release build shrinks a little (asconfig.json), which falls back to
// the older fdlibm exp: so the kernels call the table-driven one directly (its table is 2 KiB;
// log, needed once per row by the cross-entropies, keeps the compact routine). XOR's step:
// 492 → 350 ns.
import { exp_lut } from '~lib/util/math';

export function exp(x: f64): f64 {
  return exp_lut(x);
}

// tanh(x) = x + x·z·P(z)/Q(z), z = x², for |x| < 0.625: the rational approximation (degrees
// 2/3) published with Cephes' tanh. Above, 1 − 2/(e^{2|x|} + 1), which has no cancellation
// there. Within 1 ulp of the truth (test/backends.test.ts checks 2,400 correctly rounded
// values), without musl's expm1 for small |x|; src/backend/js.ts computes the same formula.
const TANH_P0: f64 = -9.64399179425052238628e-1;
const TANH_P1: f64 = -9.92877231001918586564e1;
const TANH_P2: f64 = -1.61468768441708447952e3;
const TANH_Q0: f64 = 1.12811678491632931402e2;
const TANH_Q1: f64 = 2.23548839060100448583e3;
const TANH_Q2: f64 = 4.84406305325125486048e3;

export function tanh(x: f64): f64 {
  const y = Math.abs(x);
  let t: f64;
  if (y < 0.625) {
    const z = y * y;
    t = y + y * z * (((TANH_P0 * z + TANH_P1) * z + TANH_P2) / (((z + TANH_Q0) * z + TANH_Q1) * z + TANH_Q2));
  } else {
    t = y > 22.0 ? 1.0 : 1.0 - 2.0 / (exp_lut(2.0 * y) + 1.0); // NaN stays NaN
  }
  return copysign<f64>(t, x); // odd, and tanh(−0) = −0
}

// erf(x), for the exact GELU x·Φ(x) = x·(1 + erf(x/√2))/2, from our own Chebyshev fits
// (scripts/erf-fit.py prints this table; the two backends hold the same one):
//   |x| < 1:      x·P0(x²)                     (P0 fits erf(√z)/√z on z ∈ [0, 1])
//   1 ≤ |x| < 6:  1 − e^{−x²}·Pk(|x| − ck)     (Pk fits erfc(x)·e^{x²} on [1, 2], [2, 3.5], [3.5, 6])
//   |x| ≥ 6:      1                            (erfc(6) ≈ 2e−17 is below half an ulp of 1)
// Each fit is within 1e−17 of erf; the whole routine is within 1 ulp of 3,200 correctly rounded
// values (test/backends.test.ts, scripts/erf-reference.py). Coefficients highest degree first;
// the polynomials start at ERF_START[k] and end where the next one starts.
const ERF_C = memory.data<f64>([
  5.957176147748911e-11, -1.1372848856791674e-09, 1.4659775274047436e-08, -1.6350312701054695e-07, 1.6461000484121368e-06, -1.4925595266831182e-05, 0.0001205533111164271, -0.000854832698083379, 0.0052239776248180145, -0.026866170645076792, 0.11283791670954879, -0.3761263890318375, 1.1283791670955126,
  -4.932844202000261e-08, 1.8038197652346406e-07, -5.946998373950516e-07, 2.061689065129881e-06, -6.975285854904505e-06, 2.286543658874603e-05, -7.265888759557882e-05, 0.00022330981211640024, -0.0006619300686179933, 0.0018861348854630824, -0.005145957547915988, 0.013377340952802835, -0.03293090529956347, 0.07615103985548055, -0.16362291773256007, 0.3215854164543175,
  1.8069520510416326e-09, -8.01181001890603e-09, 3.105710607611476e-08, -1.3192706697647487e-07, 5.520418140550562e-07, -2.247676321583971e-06, 8.940140785092413e-06, -3.469853951374473e-05, 0.00013118180233874277, -0.0004821950932829294, 0.001719581885194874, -0.005934337896564839, 0.019758592987324287, -0.06323763756064137, 0.1936620962790687,
  -1.2397154955686125e-09, 7.185117567525625e-09, -3.5308951693218504e-08, 1.9859009944209772e-07, -1.1118029273174716e-06, 6.082510682228709e-06, -3.277569444797808e-05, 0.00017392778941474965, -0.000908098908675339, 0.004661326438113046, -0.023503448597910273, 0.11630270720874594
]);

export function erf(x: f64): f64 {
  const y = Math.abs(x);
  let r: f64;
  if (y >= 6.0) {
    r = 1.0;
  } else if (y >= 1.0) {
    const k = y < 2.0 ? 0 : y < 3.5 ? 1 : 2;
    const t = y - (k == 0 ? 1.5 : k == 1 ? 2.75 : 4.75);
    const end = k == 0 ? 29 : k == 1 ? 44 : 56;
    let i = k == 0 ? 13 : k == 1 ? 29 : 44;
    let p = load<f64>(ERF_C + (<usize>i << 3));
    for (i++; i < end; i++) p = p * t + load<f64>(ERF_C + (<usize>i << 3));
    r = 1.0 - exp(-y * y) * p;
  } else {
    const z = y * y;
    let p = load<f64>(ERF_C);
    for (let i = 1; i < 13; i++) p = p * z + load<f64>(ERF_C + (<usize>i << 3));
    r = y * p; // NaN stays NaN
  }
  return copysign<f64>(r, x); // odd, and erf(−0) = −0
}
