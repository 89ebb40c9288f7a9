// Reading and writing the network description: an array of f64 slots (layout in codes.ts)
// that the host writes and the fused step and epochs read. Offsets in it count f64s of the
// arena, so a pointer slot becomes a byte address by × 8.
import { DESC_HEADER, DESC_LAYER } from './codes';

/** slot `i` of the description at byte address `desc` */
@inline export function slot(desc: usize, i: i32): f64 {
  return load<f64>(desc + (<usize>i << 3));
}
@inline export function setSlot(desc: usize, i: i32, v: f64): void {
  store<f64>(desc + (<usize>i << 3), v);
}
/** a size or code */
@inline export function int(desc: usize, i: i32): i32 {
  return <i32>slot(desc, i);
}
/** an arena offset, as a byte address */
@inline export function ptr(desc: usize, i: i32): usize {
  return <usize>slot(desc, i) << 3;
}
/** slot `field` of layer `l` */
@inline export function lf(l: i32, field: i32): i32 {
  return DESC_HEADER + l * DESC_LAYER + field;
}
