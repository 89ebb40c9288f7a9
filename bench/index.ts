// `npm run bench [-- --quick] [--only=kernels,training,mnist] [--libs=wasmnet-wasm,tfjs-wasm,…]`:
// GEMM kernel throughput (wasm vs js), training throughput of wasmnet against its peers (tfjs
// cpu/wasm, convnetjs, brain.js), the real-data MNIST line and predict's latency against
// onnxruntime-web and tfjs (inference), the training cost of batch and layer norm
// (normalization), printed as markdown (stdout) and
// saved as JSON under bench/results/. Reports numbers only; it never fails on timings.
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchInference, inferenceTable, type InferenceRun } from './inference';
import { benchKernels, type KernelResult } from './kernels';
import { benchMnist, type MnistLine } from './mnist';
import { benchNormalization, normalizationTable, type NormalizationResult } from './normalization';
import { ALL_PEERS, BASELINE, DEFAULT_PEERS, findPeer, type Peer } from './peers/index';
import { environment, header, kernelTable, mnistTable, trainingTable } from './report';
import { FULL_PLAN, progress, QUICK_PLAN } from './stats';
import { benchTrainings, type WorkloadResult } from './training';
import { WORKLOAD_IDS } from './workloads';

const SECTIONS = ['kernels', 'training', 'mnist', 'inference', 'normalization'] as const;
type Section = (typeof SECTIONS)[number];
/** Other names accepted by --only. */
const ALIASES: Record<string, Section> = { peers: 'training', gemm: 'kernels', digits: 'mnist', predict: 'inference', batchnorm: 'normalization' };

const USAGE = [
  'usage: npm run bench [-- --quick] [--only=SECTIONS] [--libs=LIBS] [--workloads=IDS] [--json=FILE]',
  '  --quick         few short repetitions (rough numbers), 784-512-512-10 without peers, 1 MNIST epoch',
  `  --only=SECTIONS comma-separated: ${SECTIONS.join(', ')} (default: all; "peers" = training)`,
  `  --libs=LIBS     comma-separated libraries for training and mnist (wasmnet-wasm, the ratio baseline, is always added):`,
  `                  ${ALL_PEERS.map((p) => p.id).join(', ')}`,
  `  --workloads=IDS comma-separated training workloads: ${WORKLOAD_IDS.join(', ')} (default: all)`,
  '  --json=FILE     write the JSON results there. Default: a run with --only, --libs or --workloads',
  '                  writes bench/results/partial.json; a full run latest.json, --quick quick.json.',
].join('\n');

function usage(problem: string): never {
  console.error(`${problem}\n${USAGE}`);
  process.exit(2);
}

const args = process.argv.slice(2);
let quick = false;
let sections: Section[] = [...SECTIONS];
let libs: Peer[] | null = null;
let jsonPath: string | null = null;
let onlyWorkloads: string[] | null = null;
for (const arg of args) {
  const [flag, value] = arg.split(/=(.*)/s) as [string, string | undefined];
  if (flag === '--quick' && value === undefined) quick = true;
  else if (flag === '--help' || flag === '-h') usage('');
  else if (flag === '--only' && value) {
    sections = value.split(',').map((name) => {
      const section = (SECTIONS as readonly string[]).includes(name) ? (name as Section) : ALIASES[name];
      return section ?? usage(`unknown section: ${name}`);
    });
  } else if (flag === '--libs' && value) {
    const chosen = value.split(',').map((id) => findPeer(id) ?? usage(`unknown library: ${id}`));
    libs = [BASELINE, ...chosen.filter((p) => p !== BASELINE)];
  } else if (flag === '--workloads' && value) {
    onlyWorkloads = value.split(',').map((id) => ((WORKLOAD_IDS as readonly string[]).includes(id) ? id : usage(`unknown workload: ${id}`)));
  } else if (flag === '--json' && value) jsonPath = value;
  else usage(`unknown argument: ${arg}`);
}
const plan = quick ? QUICK_PLAN : FULL_PLAN;
const partial = sections.length < SECTIONS.length || libs !== null || onlyWorkloads !== null;

const started = performance.now();
const env = environment(plan, args);
const trainingPeers = libs ?? DEFAULT_PEERS;
const mnistPeers = libs ?? plan.mnistLibs.map((id) => findPeer(id)!);

const out: string[] = [header(env, plan)];
let kernels: KernelResult[] | undefined;
let training: WorkloadResult[] | undefined;
let mnist: MnistLine | undefined;
let inference: InferenceRun | undefined;
let normalization: NormalizationResult[] | undefined;
if (sections.includes('kernels')) {
  kernels = await benchKernels(plan);
  out.push(kernelTable(kernels, plan));
}
if (sections.includes('training')) {
  training = await benchTrainings(trainingPeers, plan, onlyWorkloads);
  out.push(trainingTable(training, trainingPeers, plan));
}
if (sections.includes('mnist')) {
  mnist = await benchMnist(mnistPeers, plan);
  out.push(mnistTable(mnist));
}
if (sections.includes('inference')) {
  inference = await benchInference(plan);
  out.push(inferenceTable(inference));
}
if (sections.includes('normalization')) {
  normalization = await benchNormalization(plan);
  out.push(normalizationTable(normalization));
}
const seconds = (performance.now() - started) / 1000;
await Promise.all(ALL_PEERS.map((p) => p.close?.()));

console.log(out.join('\n\n'));

// A quick or partial run writes beside, not over, the full results.
const here = dirname(fileURLToPath(import.meta.url));
const file = partial ? 'partial.json' : plan.quick ? 'quick.json' : 'latest.json';
const path = jsonPath ?? join(here, 'results', file);
mkdirSync(dirname(path), { recursive: true });
const loadAverageAtEnd = Math.round(loadavg()[0]! * 100) / 100;
// What each library is and how it trains, beside its numbers.
const libraries = Object.fromEntries(
  [...new Set([...(training ? trainingPeers : []), ...(mnist ? mnistPeers : [])])].map((p) => [p.id, { label: p.label, notes: p.notes }]),
);
writeFileSync(path, `${JSON.stringify({ environment: env, loadAverageAtEnd, plan, sections, seconds, libraries, kernels, training, mnist, inference, normalization }, null, 2)}\n`);
progress(`\nwrote ${relative(process.cwd(), path)} (${seconds.toFixed(0)} s; load average ${env.loadAverage} at start, ${loadAverageAtEnd} at end)`);
