// Parameter updates over the whole parameter slab in one call (all layers' weights and biases
// are contiguous, and so are their gradients and the optimizer state).

/** SGD with optional momentum (Keras form): v = momentum·v − lr·g; θ = θ + v.
 *  With momentum 0 this is plain θ = θ − lr·g and `velocity` is not touched. */
export function sgd(params: usize, grads: usize, velocity: usize, count: i32, lr: f64, momentum: f64): void {
  if (momentum == 0) {
    for (let i = 0; i < count; i++) {
      const off = <usize>i << 3;
      store<f64>(params + off, load<f64>(params + off) - lr * load<f64>(grads + off));
    }
    return;
  }
  for (let i = 0; i < count; i++) {
    const off = <usize>i << 3;
    const v = momentum * load<f64>(velocity + off) - lr * load<f64>(grads + off);
    store<f64>(velocity + off, v);
    store<f64>(params + off, load<f64>(params + off) + v);
  }
}
