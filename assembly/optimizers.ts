// Parameter updates over the whole parameter slab in one call (all layers' weights and biases
// are contiguous, and so are their gradients and the optimizer state). θ are the parameters,
// g the gradients, lr the learning rate. Which library each formula matches (it matters for
// bit-level agreement when porting): SGD and its momentum, Adam and AdamW follow Keras (the
// rate inside the velocity; Adam's ε added to √v, not to torch.optim.Adam's bias-corrected
// √v̂); RMSprop and Adagrad follow PyTorch's ε placement, lr·g/(√s + ε) (Keras 3 computes
// lr·g/√(s + ε)). docs/layers-and-optimizers.md spells out the differences.
//
// Every update first checks that each new value would be finite and changes nothing (returns
// 0) if one would not: a diverging step never leaves NaN or Infinity in the network. So each
// rule is written once, as a function of two lanes (f64x2), and run in a checking pass and a
// writing pass; an odd last element goes through the same function in both lanes. The check
// ANDs per-lane masks (v − v == v − v only for finite v), which, unlike summing, adds no
// dependency chain of float additions to the pass.
import {
  D_BETA1, D_BETA2, D_EPSILON, D_GRADS, D_LEARNING_RATE, D_MOMENTUM, D_NESTEROV, D_OPTIMIZER, D_PARAMS, D_RHO, D_STATE1,
  D_STATE2, D_STEP_COUNT, D_WEIGHT_DECAY, OPT_ADAGRAD, OPT_ADAM, OPT_RMSPROP,
} from './codes';
import { int, ptr, slot } from './description';

/** `phase` of an update: both passes (one thread), or one of them over a range of the slab
 *  (threads/parallel.ts splits an update into ranges: every element's new value is computed
 *  by the same lanes' arithmetic wherever its range starts, so the bits are those of one call). */
export const UPDATE_BOTH = 0;
export const UPDATE_CHECK = 1; // 1 if every new value in the range would be finite, else 0; writes nothing
export const UPDATE_APPLY = 2; // writes the range's new values (checked before); returns 1

@inline function finite(v: v128): v128 {
  const d = f64x2.sub(v, v); // 0 if finite, NaN for ±Infinity and NaN
  return f64x2.eq(d, d);
}
@inline function pair(p: usize, o: usize): v128 {
  return v128.load(p + o);
}
/** The element at byte offset o in both lanes (the odd last element). */
@inline function last(p: usize, o: usize): v128 {
  return v128.load64_splat(p + o);
}
@inline function storeLast(p: usize, o: usize, v: v128): void {
  store<f64>(p + o, f64x2.extract_lane(v, 0));
}

// ---- SGD: v = μ·v − lr·g; θ += v, or with Nesterov θ += μ·v − lr·g. μ = 0: θ −= lr·g. --------
// (Keras's form: past steps keep the rate they were taken with. torch.optim.SGD's b = μ·b + g,
// θ −= lr·b is the same while lr is constant, and differs once a schedule changes it.)

@inline function sgdVelocity(v: v128, g: v128, mu: v128, rate: v128): v128 {
  return f64x2.sub(f64x2.mul(mu, v), f64x2.mul(rate, g));
}
@inline function sgdParam(p: v128, g: v128, vNew: v128, mu: v128, rate: v128, nesterov: bool): v128 {
  return f64x2.add(p, nesterov ? f64x2.sub(f64x2.mul(mu, vNew), f64x2.mul(rate, g)) : vNew);
}
@inline function sgdPlain(p: v128, g: v128, rate: v128): v128 {
  return f64x2.sub(p, f64x2.mul(rate, g));
}

/** The whole update (both passes): the core's export. */
export function sgd(params: usize, grads: usize, velocity: usize, count: i32, lr: f64, momentum: f64, nesterov: i32): i32 {
  return sgdUpdate(params, grads, velocity, count, lr, momentum, nesterov, UPDATE_BOTH);
}
function sgdUpdate(params: usize, grads: usize, velocity: usize, count: i32, lr: f64, momentum: f64, nesterov: i32, phase: i32): i32 {
  const rate = f64x2.splat(lr);
  const mu = f64x2.splat(momentum);
  const pairs = <usize>(count >> 1) << 4;
  const odd = (count & 1) != 0;
  if (momentum == 0) {
    if (phase != UPDATE_APPLY) { // the checking pass
      let ok = i64x2.splat(-1);
      for (let o: usize = 0; o < pairs; o += 16) ok = v128.and(ok, finite(sgdPlain(pair(params, o), pair(grads, o), rate)));
      if (odd) ok = v128.and(ok, finite(sgdPlain(last(params, pairs), last(grads, pairs), rate)));
      if (!i64x2.all_true(ok)) return 0;
      if (phase == UPDATE_CHECK) return 1;
    }
    for (let o: usize = 0; o < pairs; o += 16) v128.store(params + o, sgdPlain(pair(params, o), pair(grads, o), rate));
    if (odd) storeLast(params, pairs, sgdPlain(last(params, pairs), last(grads, pairs), rate));
    return 1;
  }
  const nest = nesterov != 0;
  if (phase != UPDATE_APPLY) { // the checking pass
    let ok = i64x2.splat(-1);
    for (let o: usize = 0; o < pairs; o += 16) {
      const g = pair(grads, o);
      const v = sgdVelocity(pair(velocity, o), g, mu, rate);
      ok = v128.and(ok, v128.and(finite(v), finite(sgdParam(pair(params, o), g, v, mu, rate, nest))));
    }
    if (odd) {
      const g = last(grads, pairs);
      const v = sgdVelocity(last(velocity, pairs), g, mu, rate);
      ok = v128.and(ok, v128.and(finite(v), finite(sgdParam(last(params, pairs), g, v, mu, rate, nest))));
    }
    if (!i64x2.all_true(ok)) return 0;
    if (phase == UPDATE_CHECK) return 1;
  }
  for (let o: usize = 0; o < pairs; o += 16) {
    const g = pair(grads, o);
    const v = sgdVelocity(pair(velocity, o), g, mu, rate);
    v128.store(velocity + o, v);
    v128.store(params + o, sgdParam(pair(params, o), g, v, mu, rate, nest));
  }
  if (odd) {
    const g = last(grads, pairs);
    const v = sgdVelocity(last(velocity, pairs), g, mu, rate);
    storeLast(velocity, pairs, v);
    storeLast(params, pairs, sgdParam(last(params, pairs), g, v, mu, rate, nest));
  }
  return 1;
}

/** base^t for a whole t ≥ 0, by squaring (Adam's t is a step count; a general pow would add
 *  2 KiB to the core for nothing). The JS backend computes it the same way, bit for bit. */
function powi(base: f64, t: f64): f64 {
  let result: f64 = 1;
  let square = base;
  for (let n = <u64>t; n != 0; n >>= 1) {
    if (n & 1) result *= square;
    square *= square;
  }
  return result;
}

// ---- Adam, and AdamW when weightDecay > 0 (decoupled: θ −= lr·wd·θ before the Adam step, on
//      every parameter, biases included, as torch.optim.AdamW and Keras's AdamW by default) ----
//  m = β1·m + (1−β1)·g;  v = β2·v + (1−β2)·g²;  lr_t = lr·√(1−β2^t)/(1−β1^t);
//  θ −= lr_t·m/(√v + ε), where t counts updates from 1.

@inline function adamM(m: v128, g: v128, b1: v128, c1: v128): v128 {
  return f64x2.add(f64x2.mul(b1, m), f64x2.mul(c1, g));
}
@inline function adamV(v: v128, g: v128, b2: v128, c2: v128): v128 {
  return f64x2.add(f64x2.mul(b2, v), f64x2.mul(f64x2.mul(c2, g), g));
}
@inline function adamParam(p: v128, mNew: v128, vNew: v128, rateT: v128, decay: v128, eps: v128): v128 {
  return f64x2.sub(f64x2.sub(p, f64x2.mul(decay, p)), f64x2.div(f64x2.mul(rateT, mNew), f64x2.add(f64x2.sqrt(vNew), eps)));
}

/** The whole update (both passes): the core's export. */
export function adam(params: usize, grads: usize, m: usize, v: usize, count: i32, lr: f64, beta1: f64, beta2: f64, epsilon: f64, t: f64, weightDecay: f64): i32 {
  return adamUpdate(params, grads, m, v, count, adamRate(lr, beta1, beta2, t), lr * weightDecay, beta1, beta2, epsilon, UPDATE_BOTH);
}
/** lr_t = lr·√(1−β2^t)/(1−β1^t) */
@inline function adamRate(lr: f64, beta1: f64, beta2: f64, t: f64): f64 {
  return lr * Math.sqrt(1.0 - powi(beta2, t)) / (1.0 - powi(beta1, t));
}
function adamUpdate(params: usize, grads: usize, m: usize, v: usize, count: i32, lrT: f64, lrDecay: f64, beta1: f64, beta2: f64, epsilon: f64, phase: i32): i32 {
  const rateT = f64x2.splat(lrT);
  const decay = f64x2.splat(lrDecay);
  const b1 = f64x2.splat(beta1);
  const c1 = f64x2.splat(1.0 - beta1);
  const b2 = f64x2.splat(beta2);
  const c2 = f64x2.splat(1.0 - beta2);
  const eps = f64x2.splat(epsilon);
  const pairs = <usize>(count >> 1) << 4;
  const odd = (count & 1) != 0;
  if (phase != UPDATE_APPLY) { // the checking pass
    let ok = i64x2.splat(-1);
    for (let o: usize = 0; o < pairs; o += 16) {
      const g = pair(grads, o);
      const vi = adamV(pair(v, o), g, b2, c2);
      ok = v128.and(ok, v128.and(finite(vi), finite(adamParam(pair(params, o), adamM(pair(m, o), g, b1, c1), vi, rateT, decay, eps))));
    }
    if (odd) {
      const g = last(grads, pairs);
      const vi = adamV(last(v, pairs), g, b2, c2);
      ok = v128.and(ok, v128.and(finite(vi), finite(adamParam(last(params, pairs), adamM(last(m, pairs), g, b1, c1), vi, rateT, decay, eps))));
    }
    if (!i64x2.all_true(ok)) return 0;
    if (phase == UPDATE_CHECK) return 1;
  }
  for (let o: usize = 0; o < pairs; o += 16) {
    const g = pair(grads, o);
    const mi = adamM(pair(m, o), g, b1, c1);
    const vi = adamV(pair(v, o), g, b2, c2);
    v128.store(m + o, mi);
    v128.store(v + o, vi);
    v128.store(params + o, adamParam(pair(params, o), mi, vi, rateT, decay, eps));
  }
  if (odd) {
    const g = last(grads, pairs);
    const mi = adamM(last(m, pairs), g, b1, c1);
    const vi = adamV(last(v, pairs), g, b2, c2);
    storeLast(m, pairs, mi);
    storeLast(v, pairs, vi);
    storeLast(params, pairs, adamParam(last(params, pairs), mi, vi, rateT, decay, eps));
  }
  return 1;
}

// ---- RMSprop: s = ρ·s + (1−ρ)·g²;  Δ = lr·g/(√s + ε);  with momentum μ: u = μ·u + Δ, θ −= u;
//      without: θ −= Δ. ------------------------------------------------------------------------

@inline function rmsS(s: v128, g: v128, r: v128, c: v128): v128 {
  return f64x2.add(f64x2.mul(r, s), f64x2.mul(f64x2.mul(c, g), g));
}
@inline function rmsStep(g: v128, sNew: v128, u: v128, rate: v128, eps: v128, mu: v128, withMomentum: bool): v128 {
  const step = f64x2.div(f64x2.mul(rate, g), f64x2.add(f64x2.sqrt(sNew), eps));
  return withMomentum ? f64x2.add(step, f64x2.mul(mu, u)) : step;
}

/** The whole update (both passes): the core's export. */
export function rmsprop(params: usize, grads: usize, s: usize, u: usize, count: i32, lr: f64, rho: f64, epsilon: f64, momentum: f64): i32 {
  return rmspropUpdate(params, grads, s, u, count, lr, rho, epsilon, momentum, UPDATE_BOTH);
}
function rmspropUpdate(params: usize, grads: usize, s: usize, u: usize, count: i32, lr: f64, rho: f64, epsilon: f64, momentum: f64, phase: i32): i32 {
  const rate = f64x2.splat(lr);
  const r = f64x2.splat(rho);
  const c = f64x2.splat(1.0 - rho);
  const eps = f64x2.splat(epsilon);
  const mu = f64x2.splat(momentum);
  const withMomentum = momentum != 0;
  const pairs = <usize>(count >> 1) << 4;
  const odd = (count & 1) != 0;
  if (phase != UPDATE_APPLY) { // the checking pass
    let ok = i64x2.splat(-1);
    for (let o: usize = 0; o < pairs; o += 16) {
      const g = pair(grads, o);
      const si = rmsS(pair(s, o), g, r, c);
      const step = rmsStep(g, si, withMomentum ? pair(u, o) : g, rate, eps, mu, withMomentum);
      ok = v128.and(ok, v128.and(finite(si), finite(f64x2.sub(pair(params, o), step))));
    }
    if (odd) {
      const g = last(grads, pairs);
      const si = rmsS(last(s, pairs), g, r, c);
      const step = rmsStep(g, si, withMomentum ? last(u, pairs) : g, rate, eps, mu, withMomentum);
      ok = v128.and(ok, v128.and(finite(si), finite(f64x2.sub(last(params, pairs), step))));
    }
    if (!i64x2.all_true(ok)) return 0;
    if (phase == UPDATE_CHECK) return 1;
  }
  for (let o: usize = 0; o < pairs; o += 16) {
    const g = pair(grads, o);
    const si = rmsS(pair(s, o), g, r, c);
    const step = rmsStep(g, si, withMomentum ? pair(u, o) : g, rate, eps, mu, withMomentum);
    v128.store(s + o, si);
    if (withMomentum) v128.store(u + o, step);
    v128.store(params + o, f64x2.sub(pair(params, o), step));
  }
  if (odd) {
    const g = last(grads, pairs);
    const si = rmsS(last(s, pairs), g, r, c);
    const step = rmsStep(g, si, withMomentum ? last(u, pairs) : g, rate, eps, mu, withMomentum);
    storeLast(s, pairs, si);
    if (withMomentum) storeLast(u, pairs, step);
    storeLast(params, pairs, f64x2.sub(last(params, pairs), step));
  }
  return 1;
}

// ---- Adagrad: s += g²;  θ −= lr·g/(√s + ε)  (s starts at initialAccumulatorValue). ----------

@inline function adagradS(s: v128, g: v128): v128 {
  return f64x2.add(s, f64x2.mul(g, g));
}
@inline function adagradParam(p: v128, g: v128, sNew: v128, rate: v128, eps: v128): v128 {
  return f64x2.sub(p, f64x2.div(f64x2.mul(rate, g), f64x2.add(f64x2.sqrt(sNew), eps)));
}

/** The whole update (both passes): the core's export. */
export function adagrad(params: usize, grads: usize, s: usize, count: i32, lr: f64, epsilon: f64): i32 {
  return adagradUpdate(params, grads, s, count, lr, epsilon, UPDATE_BOTH);
}
function adagradUpdate(params: usize, grads: usize, s: usize, count: i32, lr: f64, epsilon: f64, phase: i32): i32 {
  const rate = f64x2.splat(lr);
  const eps = f64x2.splat(epsilon);
  const pairs = <usize>(count >> 1) << 4;
  const odd = (count & 1) != 0;
  if (phase != UPDATE_APPLY) { // the checking pass
    let ok = i64x2.splat(-1);
    for (let o: usize = 0; o < pairs; o += 16) {
      const g = pair(grads, o);
      const si = adagradS(pair(s, o), g);
      ok = v128.and(ok, v128.and(finite(si), finite(adagradParam(pair(params, o), g, si, rate, eps))));
    }
    if (odd) {
      const g = last(grads, pairs);
      const si = adagradS(last(s, pairs), g);
      ok = v128.and(ok, v128.and(finite(si), finite(adagradParam(last(params, pairs), g, si, rate, eps))));
    }
    if (!i64x2.all_true(ok)) return 0;
    if (phase == UPDATE_CHECK) return 1;
  }
  for (let o: usize = 0; o < pairs; o += 16) {
    const g = pair(grads, o);
    const si = adagradS(pair(s, o), g);
    v128.store(s + o, si);
    v128.store(params + o, adagradParam(pair(params, o), g, si, rate, eps));
  }
  if (odd) {
    const g = last(grads, pairs);
    const si = adagradS(last(s, pairs), g);
    storeLast(s, pairs, si);
    storeLast(params, pairs, adagradParam(last(params, pairs), g, si, rate, eps));
  }
  return 1;
}

/** The description's optimizer over parameters [from, from + count) of the slab, in `phase`:
 *  the step's update (step.ts) and each range of a split one (threads/parallel.ts). Returns 0 if
 *  the checking pass found a value that would not be finite (nothing written), else 1. */
export function updateRange(desc: usize, from: i32, count: i32, phase: i32): i32 {
  const at = <usize>from << 3;
  const params = ptr(desc, D_PARAMS) + at, grads = ptr(desc, D_GRADS) + at;
  const state1 = ptr(desc, D_STATE1) + at, state2 = ptr(desc, D_STATE2) + at;
  const lr = slot(desc, D_LEARNING_RATE);
  const optimizer = int(desc, D_OPTIMIZER);
  if (optimizer == OPT_ADAM) {
    const beta1 = slot(desc, D_BETA1), beta2 = slot(desc, D_BETA2);
    const lrT = adamRate(lr, beta1, beta2, slot(desc, D_STEP_COUNT) + 1);
    return adamUpdate(params, grads, state1, state2, count, lrT, lr * slot(desc, D_WEIGHT_DECAY), beta1, beta2, slot(desc, D_EPSILON), phase);
  }
  if (optimizer == OPT_RMSPROP) return rmspropUpdate(params, grads, state1, state2, count, lr, slot(desc, D_RHO), slot(desc, D_EPSILON), slot(desc, D_MOMENTUM), phase);
  if (optimizer == OPT_ADAGRAD) return adagradUpdate(params, grads, state1, count, lr, slot(desc, D_EPSILON), phase);
  return sgdUpdate(params, grads, state1, count, lr, slot(desc, D_MOMENTUM), int(desc, D_NESTEROV), phase);
}
