// Parameter updates over the whole parameter slab in one call (all layers' weights and biases
// are contiguous, and so are their gradients and the optimizer state), with Keras's
// formulas. θ are the parameters, g the gradients, lr the learning rate.
//
// Every update first checks that each new value would be finite and changes nothing (returns
// 0) if one would not: a diverging step never leaves NaN or Infinity in the network.
// (x − x is 0 for finite x and NaN for ±Infinity or NaN, and NaN survives the sum.) So each
// rule is written once as a function of one element, run in a checking pass and a writing pass.

@inline function at(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}
@inline function put(p: usize, i: i32, v: f64): void {
  store<f64>(p + (<usize>i << 3), v);
}

/** SGD: v = μ·v − lr·g; θ += v, or with Nesterov θ += μ·v − lr·g. μ = 0: θ −= lr·g. */
export function sgd(params: usize, grads: usize, velocity: usize, count: i32, lr: f64, momentum: f64, nesterov: i32): i32 {
  let check: f64 = 0;
  for (let i = 0; i < count; i++) {
    const g = at(grads, i);
    if (momentum == 0) {
      const p = at(params, i) - lr * g;
      check += p - p;
    } else {
      const v = momentum * at(velocity, i) - lr * g;
      const p = at(params, i) + (nesterov ? momentum * v - lr * g : v);
      check += (p - p) + (v - v);
    }
  }
  if (check != 0) return 0;
  for (let i = 0; i < count; i++) {
    const g = at(grads, i);
    if (momentum == 0) {
      put(params, i, at(params, i) - lr * g);
    } else {
      const v = momentum * at(velocity, i) - lr * g;
      put(velocity, i, v);
      put(params, i, at(params, i) + (nesterov ? momentum * v - lr * g : v));
    }
  }
  return 1;
}

/** Adam, and AdamW when weightDecay > 0 (decoupled: θ −= lr·wd·θ before the Adam step).
 *  m = β1·m + (1−β1)·g;  v = β2·v + (1−β2)·g²;  lr_t = lr·√(1−β2^t)/(1−β1^t);
 *  θ −= lr_t·m/(√v + ε), where t counts updates from 1. */
export function adam(params: usize, grads: usize, m: usize, v: usize, count: i32, lr: f64, beta1: f64, beta2: f64, epsilon: f64, t: f64, weightDecay: f64): i32 {
  const lrT = lr * Math.sqrt(1.0 - Math.pow(beta2, t)) / (1.0 - Math.pow(beta1, t));
  const decay = lr * weightDecay;
  let check: f64 = 0;
  for (let i = 0; i < count; i++) {
    const g = at(grads, i);
    const mi = beta1 * at(m, i) + (1.0 - beta1) * g;
    const vi = beta2 * at(v, i) + (1.0 - beta2) * g * g;
    const p0 = at(params, i);
    const p = p0 - decay * p0 - lrT * mi / (Math.sqrt(vi) + epsilon);
    check += (p - p) + (vi - vi);
  }
  if (check != 0) return 0;
  for (let i = 0; i < count; i++) {
    const g = at(grads, i);
    const mi = beta1 * at(m, i) + (1.0 - beta1) * g;
    const vi = beta2 * at(v, i) + (1.0 - beta2) * g * g;
    put(m, i, mi);
    put(v, i, vi);
    const p0 = at(params, i);
    put(params, i, p0 - decay * p0 - lrT * mi / (Math.sqrt(vi) + epsilon));
  }
  return 1;
}

/** RMSprop: s = ρ·s + (1−ρ)·g²;  Δ = lr·g/(√s + ε);  with momentum μ: u = μ·u + Δ, θ −= u;
 *  without: θ −= Δ. */
export function rmsprop(params: usize, grads: usize, s: usize, u: usize, count: i32, lr: f64, rho: f64, epsilon: f64, momentum: f64): i32 {
  let check: f64 = 0;
  for (let i = 0; i < count; i++) {
    const g = at(grads, i);
    const si = rho * at(s, i) + (1.0 - rho) * g * g;
    let step = lr * g / (Math.sqrt(si) + epsilon);
    if (momentum != 0) step += momentum * at(u, i);
    const p = at(params, i) - step;
    check += (p - p) + (si - si);
  }
  if (check != 0) return 0;
  for (let i = 0; i < count; i++) {
    const g = at(grads, i);
    const si = rho * at(s, i) + (1.0 - rho) * g * g;
    put(s, i, si);
    let step = lr * g / (Math.sqrt(si) + epsilon);
    if (momentum != 0) {
      step += momentum * at(u, i);
      put(u, i, step);
    }
    put(params, i, at(params, i) - step);
  }
  return 1;
}

/** Adagrad: s += g²;  θ −= lr·g/(√s + ε)  (s starts at initialAccumulatorValue). */
export function adagrad(params: usize, grads: usize, s: usize, count: i32, lr: f64, epsilon: f64): i32 {
  let check: f64 = 0;
  for (let i = 0; i < count; i++) {
    const g = at(grads, i);
    const si = at(s, i) + g * g;
    const p = at(params, i) - lr * g / (Math.sqrt(si) + epsilon);
    check += (p - p) + (si - si);
  }
  if (check != 0) return 0;
  for (let i = 0; i < count; i++) {
    const g = at(grads, i);
    const si = at(s, i) + g * g;
    put(s, i, si);
    put(params, i, at(params, i) - lr * g / (Math.sqrt(si) + epsilon));
  }
  return 1;
}
