// `npm run bench [-- --quick]`: kernel and training throughput of the wasm backend against the
// pure-TS backend, printed as markdown and saved as JSON. Reports numbers only; it never fails
// on timings.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchKernels } from './kernels';
import { environment, header, kernelTable, trainingTable } from './report';
import { FULL_PLAN, progress, QUICK_PLAN } from './stats';
import { benchTrainings } from './training';

const args = process.argv.slice(2);
const unknown = args.filter((a) => a !== '--quick');
if (unknown.length > 0) {
  console.error(`usage: npm run bench [-- --quick]   (unknown argument: ${unknown.join(' ')})`);
  process.exit(2);
}
const plan = args.includes('--quick') ? QUICK_PLAN : FULL_PLAN;

const started = performance.now();
const env = environment(plan);
const kernels = await benchKernels(plan);
const training = await benchTrainings(plan);
const seconds = (performance.now() - started) / 1000;

console.log([header(env, plan), kernelTable(kernels, plan), trainingTable(training, plan)].join('\n\n'));

// A quick run writes beside, not over, the full results.
const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'results', plan.quick ? 'quick.json' : 'latest.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify({ environment: env, plan, seconds, kernels, training }, null, 2)}\n`);
progress(`\nwrote ${relative(process.cwd(), out)} (${seconds.toFixed(0)} s)`);
