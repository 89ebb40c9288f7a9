// Zeroing and copying buffers. Plain vectorised loops: V8 runs `memory.fill`/`copy` through a runtime call
// that costs more than the whole fill for the small buffers of tiny networks.

/** Sets `count` f64s from `p` to 0. */
export function zeroF64(p: usize, count: i32): void {
  const zero = f64x2.splat(0);
  const end = p + (<usize>count << 3);
  let q = p;
  for (; q + 16 <= end; q += 16) v128.store(q, zero);
  if (q < end) store<f64>(q, 0.0);
}

/** Copies `count` f64s from `src` to `dst` (the regions may not overlap). */
export function copyF64(dst: usize, src: usize, count: i32): void {
  const end = <usize>count << 3;
  let o: usize = 0;
  for (; o + 16 <= end; o += 16) v128.store(dst + o, v128.load(src + o));
  if (o < end) store<f64>(dst + o, load<f64>(src + o));
}

/** Index of the first non-finite value among `count` f64s at p, or -1: x − x is 0 for every
 *  finite x and NaN otherwise, two lanes at a time, four values per test. */
export function firstNonFinite(p: usize, count: i32): i32 {
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const at = p + (<usize>i << 3);
    const a = v128.load(at);
    const b = v128.load(at, 16);
    const d = f64x2.add(f64x2.sub(a, a), f64x2.sub(b, b));
    if (v128.any_true(f64x2.ne(d, d))) break;
  }
  for (; i < count; i++) {
    const v = load<f64>(p + (<usize>i << 3));
    if (v - v != 0) return i;
  }
  return -1;
}
