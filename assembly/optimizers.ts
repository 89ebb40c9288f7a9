// Parameter updates over the whole parameter slab in one call (all layers' weights and biases
// are contiguous, and so are their gradients and the optimizer state).
//
// Each update first checks that every new value would be finite, and changes nothing (returns
// 0) if one would not: a diverging step never leaves NaN or Infinity in the network.
// (x − x is 0 for finite x and NaN for ±Infinity or NaN, and NaN survives the sum.)

/** SGD with optional momentum (Keras form): v = momentum·v − lr·g; θ = θ + v.
 *  With momentum 0 this is plain θ = θ − lr·g and `velocity` is not touched.
 *  Returns 1 when applied, 0 when a gradient or a result is not finite (nothing changed). */
export function sgd(params: usize, grads: usize, velocity: usize, count: i32, lr: f64, momentum: f64): i32 {
  let check: f64 = 0;
  if (momentum == 0) {
    for (let i = 0; i < count; i++) {
      const off = <usize>i << 3;
      const p = load<f64>(params + off) - lr * load<f64>(grads + off);
      check += p - p;
    }
    if (check != 0) return 0;
    for (let i = 0; i < count; i++) {
      const off = <usize>i << 3;
      store<f64>(params + off, load<f64>(params + off) - lr * load<f64>(grads + off));
    }
    return 1;
  }
  for (let i = 0; i < count; i++) {
    const off = <usize>i << 3;
    const v = momentum * load<f64>(velocity + off) - lr * load<f64>(grads + off);
    const p = load<f64>(params + off) + v;
    check += p - p;
  }
  if (check != 0) return 0;
  for (let i = 0; i < count; i++) {
    const off = <usize>i << 3;
    const v = momentum * load<f64>(velocity + off) - lr * load<f64>(grads + off);
    store<f64>(velocity + off, v);
    store<f64>(params + off, load<f64>(params + off) + v);
  }
  return 1;
}
