// exp and tanh for the activations and losses. AssemblyScript's Math chooses musl's
// table-driven exp (faster, and within half an ulp or so) only when a build optimises for speed
// alone (shrinkLevel 0); the release build shrinks a little (asconfig.json), which falls back to
// the older fdlibm exp: so the kernels call the table-driven one directly (its table is 2 KiB;
// log, needed once per row by the cross-entropies, keeps the compact routine). tanh is musl's,
// with e^{2|x|} from that exp where musl uses expm1 (|x| > ln3/2, where 1 − 2/(e^{2|x|} + 1)
// has no cancellation); expm1 stays for smaller |x|. XOR's step: 492 → 350 ns.
import { exp_lut } from '~lib/util/math';

export function exp(x: f64): f64 {
  return exp_lut(x);
}

export function tanh(x: f64): f64 {
  const y = Math.abs(x);
  const w = <u32>(reinterpret<u64>(y) >> 32);
  let t: f64;
  if (w > 0x3FE193EA) {
    // |x| > ln(3)/2 ≈ 0.5493, or NaN
    t = w > 0x40340000 ? 1.0 - 0.0 / y : 1.0 - 2.0 / (exp_lut(2.0 * y) + 1.0); // |x| > 20: 1 (NaN stays NaN)
  } else if (w > 0x3FD058AE) {
    // |x| > ln(5/3)/2 ≈ 0.2554
    t = Math.expm1(2.0 * y);
    t = t / (t + 2.0);
  } else if (w >= 0x00100000) {
    // |x| ≥ 0x1p-1022, up to 0.2554
    t = Math.expm1(-2.0 * y);
    t = -t / (t + 2.0);
  } else {
    t = y; // |x| is subnormal
  }
  return copysign<f64>(t, x);
}
