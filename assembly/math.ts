// exp and tanh for the activations and losses. AssemblyScript's Math chooses musl's
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
