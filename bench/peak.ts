// `node --import tsx bench/peak.ts`: what one core of this machine can do in f64 WebAssembly
// without fused multiply-add — the ceiling of every product in wasmnet's core. A loop of
// independent f64x2 multiply-then-add chains held in registers (no memory traffic), compiled
// from AssemblyScript at run time; prints GFLOP/s (a multiply and an add per lane = 2 flops),
// the median of 7 timed calls. 8 and 12 chains: enough to hide the add's latency on current
// x86 cores, so the figure is the multiply and add units' throughput.
import asc from 'assemblyscript/asc';
import { chainsSource } from './cores';

const median = (v: number[]): number => [...v].sort((p, q) => p - q)[v.length >> 1]!;
for (const n of [8, 12]) {
  const { binary, stderr } = await asc.compileString(chainsSource(n), { optimizeLevel: 3, enable: ['simd'], runtime: 'stub' });
  if (!binary) throw new Error(String(stderr));
  const instance = new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(binary)), {});
  const peak = instance.exports.peak as (iters: number, x: number) => number;
  const iters = 2e7;
  for (let w = 0; w < 3; w++) peak(iters, 1); // warm-up: until V8's optimizing tier has taken over
  const rates: number[] = [];
  for (let r = 0; r < 7; r++) {
    const t = performance.now();
    peak(iters, 1);
    rates.push((iters * n * 4) / ((performance.now() - t) / 1e3) / 1e9);
  }
  console.log(`${n} chains of f64x2 multiply + add: ${median(rates).toFixed(1)} GFLOP/s (median of 7; ${rates.map((g) => g.toFixed(1)).join(', ')})`);
}
