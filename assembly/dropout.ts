// Inverted dropout: in training, each value is kept with probability 1 − rate and scaled by
// 1/(1 − rate), so inference needs no change. The mask comes from sfc32 (the same generator as
// src/random.ts) whose state lives in the network description, so masks are reproducible
// from the seed and identical on both backends.

/** One sfc32 draw, advancing the 4-word state stored as f64s at `state`. */
@inline function nextUint32(state: usize): u32 {
  let a = <u32>load<f64>(state);
  let b = <u32>load<f64>(state, 8);
  let c = <u32>load<f64>(state, 16);
  let d = <u32>load<f64>(state, 24);
  const t = a + b + d;
  d = d + 1;
  a = b ^ (b >>> 9);
  b = c + (c << 3);
  c = (c << 21) | (c >>> 11);
  c = c + t;
  store<f64>(state, <f64>a);
  store<f64>(state, <f64>b, 8);
  store<f64>(state, <f64>c, 16);
  store<f64>(state, <f64>d, 24);
  return t;
}

/** out = x ⊙ mask, mask[i] = 0 with probability `rate` (a draw below rate·2³²), else 1/(1 − rate). */
export function dropoutForward(x: usize, out: usize, mask: usize, count: i32, rate: f64, state: usize): void {
  const threshold = <u64>(rate * 4294967296.0);
  const keep = 1.0 / (1.0 - rate);
  for (let i = 0; i < count; i++) {
    const off = <usize>i << 3;
    const m: f64 = <u64>nextUint32(state) < threshold ? 0.0 : keep;
    store<f64>(mask + off, m);
    store<f64>(out + off, load<f64>(x + off) * m);
  }
}

/** d ⊙= mask (the gradient through the dropout, in place). */
export function dropoutBackward(d: usize, mask: usize, count: i32): void {
  for (let i = 0; i < count; i++) {
    const off = <usize>i << 3;
    store<f64>(d + off, load<f64>(d + off) * load<f64>(mask + off));
  }
}
