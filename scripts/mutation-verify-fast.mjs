// Like mutation-verify.mjs, but one Vitest instance for all mutants (Vitest's Node API): each
// mutant is written into the source, the file invalidated in Vitest's module cache, and the
// given test files rerun in the same process. Much faster than a fresh `vitest run` per mutant.
//   node scripts/mutation-verify-fast.mjs reports/mutation/x.json src/a.ts -- test/a.test.ts …
// A mutant whose tests run longer than --timeout seconds (default 60: a loop without end, which
// no test timeout can stop) is counted killed, as Stryker counts a timeout, and the process
// exits with code 3 after restoring the source; rerun with --from N (printed) to go on.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createVitest } from 'vitest/node';

const option = (name, fallback) => {
  const i = process.argv.indexOf(name);
  if (i < 0) return fallback;
  const value = Number(process.argv[i + 1]);
  process.argv.splice(i, 2);
  return value;
};
const timeout = option('--timeout', 60);
const from = option('--from', 0);
const args = process.argv.slice(2);
const dash = args.indexOf('--');
const [reportPath, ...files] = args.slice(0, dash);
const tests = args.slice(dash + 1);
const report = JSON.parse(readFileSync(reportPath, 'utf8'));
const originals = new Map();
const restore = () => {
  for (const [file, text] of originals) writeFileSync(file, text);
};
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    restore();
    process.exit(130);
  });
}

const vitest = await createVitest('test', { watch: false, reporters: [{}], bail: 1 });
await vitest.standalone();
const specs = await vitest.getRelevantTestSpecifications(tests);
const run = async () => {
  const result = await vitest.runTestSpecifications(specs);
  return result.testModules.every((m) => m.ok()) && result.unhandledErrors.length === 0;
};
if (!(await run())) {
  console.error('the tests fail on the unmutated source');
  await vitest.close();
  process.exit(1);
}
let counter = 0;
for (const [path, { mutants }] of Object.entries(report.files)) {
  const file = path.replace(/^.*?src\//, 'src/');
  if (files.length > 0 && !files.includes(file)) continue;
  const source = readFileSync(file, 'utf8');
  originals.set(file, source);
  const lines = source.split('\n');
  const offset = (p) => lines.slice(0, p.line - 1).reduce((n, l) => n + l.length + 1, 0) + p.column - 1;
  for (const m of mutants.filter((x) => x.status === 'Survived' || x.status === 'NoCoverage')) {
    const at = counter++;
    if (at < from) continue;
    writeFileSync(file, source.slice(0, offset(m.location.start)) + m.replacement + source.slice(offset(m.location.end)));
    vitest.invalidateFile(resolve(file));
    const describe = `${file}:${m.location.start.line}:${m.location.start.column} ${m.mutatorName} → ${String(m.replacement).replace(/\s+/g, ' ').slice(0, 70)}`;
    const timer = setTimeout(() => {
      console.log(`killed   (timed out) ${describe}`);
      console.error(`timed out: go on with --from ${at + 1}`);
      restore();
      // the test worker (a child process in Vitest's forks pool) is the one looping: end it
      try {
        execFileSync('pkill', ['-KILL', '-P', String(process.pid)]);
      } catch {}
      process.exit(3);
    }, timeout * 1000);
    let killed;
    try {
      killed = !(await run());
    } catch {
      killed = true;
    }
    clearTimeout(timer);
    writeFileSync(file, source);
    vitest.invalidateFile(resolve(file));
    console.log(`${killed ? 'killed  ' : 'SURVIVED'} ${m.status === 'NoCoverage' ? '(not covered) ' : ''}${describe}`);
  }
}
restore();
await vitest.close();
