// Summarises StrykerJS JSON reports (reports/mutation/*.json, one per `--mutate` run or one for
// the whole of src/) as the Markdown of test/mutation/REPORT.md: the score per module, and every
// surviving or uncovered mutant with its place, so each can be killed or judged equivalent.
//   node scripts/mutation-report.mjs reports/mutation/*.json
// Score = (killed + timed out) / (killed + timed out + survived + no coverage), as Stryker's.
import { readFileSync } from 'node:fs';

const mutants = new Map(); // one entry per mutant; for a file in several reports, the last report's
const latest = new Map(); // file → the last report holding it
for (const path of process.argv.slice(2)) {
  for (const file of Object.keys(JSON.parse(readFileSync(path, 'utf8')).files)) latest.set(file, path);
}
for (const path of process.argv.slice(2)) {
  const report = JSON.parse(readFileSync(path, 'utf8'));
  for (const [file, { mutants: list }] of Object.entries(report.files)) {
    if (latest.get(file) !== path) continue;
    for (const m of list) {
      const key = `${file}:${m.id}:${m.location.start.line}:${m.location.start.column}:${m.location.end.line}:${m.location.end.column}:${m.mutatorName}:${m.replacement}`;
      mutants.set(key, { file, ...m });
    }
  }
}

/** The file, relative to the repository (one row per file: a folder may be partly run). */
const moduleOf = (file) => file.replace(/^.*?src\//, 'src/');

const groups = new Map();
for (const m of mutants.values()) {
  const key = moduleOf(m.file);
  const g = groups.get(key) ?? { Killed: 0, Timeout: 0, Survived: 0, NoCoverage: 0, CompileError: 0, RuntimeError: 0, Ignored: 0, left: [] };
  g[m.status] = (g[m.status] ?? 0) + 1;
  if (m.status === 'Survived' || m.status === 'NoCoverage') g.left.push(m);
  groups.set(key, g);
}

const score = (g) => {
  const detected = g.Killed + g.Timeout;
  const valid = detected + g.Survived + g.NoCoverage;
  return valid === 0 ? NaN : (100 * detected) / valid;
};
console.log('| file | score | killed | timed out | survived | no coverage | type errors (checker) |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const [name, g] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
  console.log(`| \`${name}\` | ${score(g).toFixed(1)} % | ${g.Killed} | ${g.Timeout} | ${g.Survived} | ${g.NoCoverage} | ${g.CompileError} |`);
}
if (process.env.LIST !== '0') {
  for (const [name, g] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    if (g.left.length === 0) continue;
    console.log(`\n### \`${name}\`\n`);
    for (const m of g.left.sort((a, b) => a.file.localeCompare(b.file) || a.location.start.line - b.location.start.line)) {
      const where = `${m.file.replace(/^.*?src\//, 'src/')}:${m.location.start.line}`;
      const replacement = (m.replacement ?? '').replace(/\s+/g, ' ').slice(0, 80);
      console.log(`- ${where} ${m.mutatorName} → \`${replacement.replaceAll('`', "'")}\`${m.status === 'NoCoverage' ? ' (no coverage)' : ''}`);
    }
  }
}
