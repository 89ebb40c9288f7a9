// A/B runs between commits:
//   `node bench/ab.mjs [--rounds=N] [--epochs=E] [--workload=w4|w3] [--harness=fit|peers] REF REF…`
//
// Finds a regression by measurement rather than by guess: each REF (a commit, branch or tag) is
// checked out into its own worktree under the system's temp folder (node_modules linked from
// this checkout, the wasm core built from that commit's assembly/), then every round runs one
// fresh process per REF, in turn (A B C A B C …), so that the machine's drift between minutes
// falls on every REF alike. Each process trains the workload through the public API of that
// commit's src/ (`new Network`, `fit` with `yieldEvery: Infinity`: what bench/peers/wasmnet.ts
// times) and prints samples per second; the report gives each REF's median and its ratio to the
// first REF's median, and the median of the per-round ratios (each round's runs are minutes
// apart at most, so the machine's drift cancels in them). Every run is appended to
// bench/results/ab.json.
//
//   w4: 784-512-512-10 relu/relu/softmax, categorical cross-entropy, SGD 0.1, batch 128, 2,048 rows
//   w3: 784-128-10 relu/softmax, the same, batch 32
// --harness=peers runs each commit's own training bench instead (`bench/index.ts --only=training
// --workloads=wide|mnist --libs=tfjs-wasm`: wasmnet wasm beside tfjs wasm, each in its worker
// thread, its median of 9) and takes wasmnet wasm's median samples/s from its JSON.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const hit = args.find((a) => a.startsWith(`--${name}=`));
  return hit ? hit.slice(name.length + 3) : fallback;
};
const rounds = Number(flag('rounds', 7));
const epochs = Number(flag('epochs', 4));
const workload = flag('workload', 'w4');
const harness = flag('harness', 'fit');
const refs = args.filter((a) => !a.startsWith('--'));
if (refs.length < 2 || !(rounds > 0) || !(epochs > 0) || !['w4', 'w3'].includes(workload) || !['fit', 'peers'].includes(harness)) {
  console.error('usage: node bench/ab.mjs [--rounds=7] [--epochs=4] [--workload=w4|w3] [--harness=fit|peers] REF REF [REF…]');
  process.exit(2);
}

const git = (...a) => execFileSync('git', a, { cwd: root, encoding: 'utf8' }).trim();
const base = join(tmpdir(), 'wasmnet-ab');
mkdirSync(base, { recursive: true });

/** A worktree of `ref` with its wasm core built; its folder. */
function checkout(ref) {
  const sha = git('rev-parse', '--short=7', `${ref}^{commit}`);
  const dir = join(base, sha);
  if (!existsSync(dir)) {
    git('worktree', 'add', '--detach', dir, sha);
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  }
  execFileSync(process.execPath, ['scripts/build-wasm.mjs'], { cwd: dir, stdio: 'ignore' });
  return { ref, sha, dir, runs: [] };
}

// The timed program, the same for every commit (public API only).
const program = (dir) => `
import { Network, dense, init } from ${JSON.stringify(join(dir, 'src', 'index.ts'))};
await init();
const [sizes, batchSize] = ${JSON.stringify(workload === 'w4' ? [[784, 512, 512, 10], 128] : [[784, 128, 10], 32])};
const rows = 2048, n = sizes[0], classes = sizes.at(-1);
let s = 7;
const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
const x = new Float64Array(rows * n).map(() => next());
const y = new Float64Array(rows * classes);
for (let r = 0; r < rows; r++) y[r * classes + Math.floor(next() * classes)] = 1;
const layers = sizes.slice(1).map((u, i) => dense(u, { activation: i === sizes.length - 2 ? 'softmax' : 'relu' }));
const net = new Network({ inputSize: n, layers, loss: 'categoricalCrossentropy', optimizer: { type: 'sgd', learningRate: 0.1 }, seed: 42 });
await net.fit(x, y, { epochs: 1, batchSize, yieldEvery: Infinity }); // warm-up
const started = performance.now();
await net.fit(x, y, { epochs: ${epochs}, batchSize, yieldEvery: Infinity });
const ms = performance.now() - started;
console.log(JSON.stringify({ samplesPerSecond: (rows * ${epochs}) / (ms / 1000) }));
`;

const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const sides = refs.map(checkout);
for (const side of sides) writeFileSync(join(side.dir, '.ab-program.mjs'), program(side.dir));
for (let round = 0; round < rounds; round++) {
  for (const side of sides) {
    if (harness === 'peers') {
      const out = join(side.dir, '.ab-peers.json');
      const args = ['--import', 'tsx', 'bench/index.ts', '--only=training', `--workloads=${workload === 'w4' ? 'wide' : 'mnist'}`, '--libs=tfjs-wasm', `--json=${out}`];
      const run = spawnSync(process.execPath, args, { cwd: side.dir, encoding: 'utf8' });
      if (run.status !== 0) throw new Error(`${side.ref}: ${run.stderr}`);
      const lib = JSON.parse(readFileSync(out, 'utf8')).training[0].libraries.find((l) => l.peer === 'wasmnet-wasm');
      side.runs.push(lib.rate.median);
    } else {
      const run = spawnSync(process.execPath, ['--import', 'tsx', join(side.dir, '.ab-program.mjs')], { cwd: root, encoding: 'utf8' });
      if (run.status !== 0) throw new Error(`${side.ref}: ${run.stderr}`);
      side.runs.push(JSON.parse(run.stdout.trim().split('\n').at(-1)).samplesPerSecond);
    }
  }
  console.log(`round ${round + 1}: ` + sides.map((s) => `${s.sha} ${s.runs.at(-1).toFixed(0)}`).join('  '));
}
const first = median(sides[0].runs);
console.log(`\n${workload}, ${harness === 'peers' ? 'the peers harness (its median of 9 per run)' : `${epochs} epochs of 2,048 rows per run`}, ${rounds} rounds, medians (samples/s):`);
for (const s of sides) {
  const m = median(s.runs);
  console.log(`  ${s.ref.padEnd(12)} ${s.sha}  ${m.toFixed(0).padStart(7)}  ${(m / first).toFixed(3)}×  [${s.runs.map((r) => r.toFixed(0)).join(', ')}]`);
}
// Every run is appended to bench/results/ab.json (`runs`), with its command and commits.
const out = join(root, 'bench', 'results', 'ab.json');
const record = existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : { runs: [] };
const ratios = sides.map((s) => median(s.runs.map((r, i) => r / sides[0].runs[i])));
record.runs.push({
  command: `node bench/ab.mjs --rounds=${rounds} --epochs=${epochs} --workload=${workload} --harness=${harness} ${refs.join(' ')}`,
  date: new Date().toISOString(),
  node: process.version,
  sides: sides.map((s, i) => ({ ref: s.ref, commit: s.sha, median: median(s.runs), pairedRatio: ratios[i], runs: s.runs })),
});
writeFileSync(out, JSON.stringify(record, null, 2) + '\n');
console.log(`median of the per-round ratios to ${sides[0].ref}: ${sides.map((s, i) => `${s.ref} ${ratios[i].toFixed(3)}×`).join(', ')}`);
console.log(`appended to ${out} (run ${record.runs.length})`);
