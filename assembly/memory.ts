// Zeroing buffers. A plain vectorised loop: V8 runs `memory.fill` through a runtime call
// that costs more than the whole fill for the small buffers of tiny networks.

/** Sets `count` f64s from `p` to 0. */
export function zeroF64(p: usize, count: i32): void {
  const zero = f64x2.splat(0);
  const end = p + (<usize>count << 3);
  let q = p;
  for (; q + 16 <= end; q += 16) v128.store(q, zero);
  if (q < end) store<f64>(q, 0.0);
}
