// Applies each surviving mutant of a StrykerJS JSON report to the source, one at a time, runs
// the given test files, and says whether they fail (the mutant is killed when it is active).
// For the mutants Stryker's per-test runner reports as survivors although it never activated
// them: edits to module-level tables (a list of option names, say), which run when the module
// loads, before Stryker switches the mutant on for a test.
//   node scripts/mutation-verify.mjs reports/mutation/x.json src/optimizers.ts -- test/contracts.test.ts …
// The mutants it applies: the survivors and the ones no test covered in the run.
// With --static, also the static mutants the run left out (ignoreStatic: status "Ignored").
// Restores every file it edits (also on Ctrl-C).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const withStatic = process.argv.includes('--static');
const args = process.argv.slice(2).filter((a) => a !== '--static');
const dash = args.indexOf('--');
const [reportPath, ...files] = args.slice(0, dash);
const tests = args.slice(dash + 1);
const report = JSON.parse(readFileSync(reportPath, 'utf8'));
const originals = new Map();
const restore = () => {
  for (const [file, text] of originals) writeFileSync(file, text);
};
process.on('SIGINT', () => {
  restore();
  process.exit(130);
});

for (const [path, { mutants }] of Object.entries(report.files)) {
  const file = path.replace(/^.*?src\//, 'src/');
  if (files.length > 0 && !files.includes(file)) continue;
  const source = readFileSync(file, 'utf8');
  originals.set(file, source);
  const lines = source.split('\n');
  const offset = (p) => lines.slice(0, p.line - 1).reduce((n, l) => n + l.length + 1, 0) + p.column - 1;
  for (const m of mutants.filter((x) => x.status === 'Survived' || x.status === 'NoCoverage' || (withStatic && x.status === 'Ignored'))) {
    const mutated = source.slice(0, offset(m.location.start)) + m.replacement + source.slice(offset(m.location.end));
    writeFileSync(file, mutated);
    let killed = false;
    try {
      execFileSync('npx', ['vitest', 'run', ...tests], { stdio: 'pipe', encoding: 'utf8' });
    } catch {
      killed = true;
    }
    writeFileSync(file, source);
    console.log(`${killed ? 'killed  ' : 'SURVIVED'} ${m.status === 'Ignored' ? '(static) ' : m.status === 'NoCoverage' ? '(not covered) ' : ''}${file}:${m.location.start.line}:${m.location.start.column} ${m.mutatorName} → ${String(m.replacement).replace(/\s+/g, ' ').slice(0, 70)}`);
  }
}
restore();
