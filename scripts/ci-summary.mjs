// Adds up vitest JSON reports (and the reports of scripts/check-package.mjs and
// test/runtimes/run.mjs, which use the same numPassedTests/numFailedTests/numTotalTests/success
// fields) and prints the one line CI reads, last: "N passed, N failed" (after a line
// "N skipped" naming how many tests neither passed nor failed).
// A missing or unreadable report counts as a failure, so a crashed run can never look green.
// So does a test that neither passed nor failed (skipped, pending, todo, or a count that does not
// add up) unless it is on ALLOWED_NOT_RUN below: a test that silently stops running is a test
// that silently stops catching anything.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/**
 * Tests allowed not to run, by full name (the describe titles and the test title, joined by
 * ' '), each with the reason it may not run. Keep it empty unless a test really cannot run
 * somewhere CI runs: a skip with no entry here fails CI.
 * @type {Record<string, string>}
 */
export const ALLOWED_NOT_RUN = {
  // (none: every test of the suite runs on every CI run)
};

/** Summarises reports (already parsed; `null` for one that could not be read). */
export function summarise(reports, allowed = ALLOWED_NOT_RUN) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const lines = [];
  for (const { file, report, error } of reports) {
    if (report === null) {
      lines.push(`ci-summary: cannot read ${file}: ${error}`);
      failed += 1;
      continue;
    }
    passed += report.numPassedTests;
    failed += report.numFailedTests;
    lines.push(`ci-summary: ${file}: ${report.numPassedTests} of ${report.numTotalTests} ok${report.success ? '' : ' (not successful)'}`);
    if (!report.success && report.numFailedTests === 0) failed += 1; // e.g. a suite failed to load
    if (report.numTotalTests === 0) failed += 1; // running no test is a failure
    // Tests that neither passed nor failed: by name where the report lists them (vitest's does)
    const notRun = [];
    for (const suite of report.testResults ?? []) {
      for (const t of suite.assertionResults ?? []) {
        if (t.status !== 'passed' && t.status !== 'failed') notRun.push({ name: t.fullName ?? t.title, status: t.status });
      }
    }
    const counted = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
    const unaccounted = report.numTotalTests - report.numPassedTests - report.numFailedTests;
    if (notRun.length === 0 && (counted > 0 || unaccounted > 0)) {
      notRun.push({ name: `(${Math.max(counted, unaccounted)} unnamed test(s))`, status: 'not run' });
    }
    for (const t of notRun) {
      skipped += 1;
      if (Object.hasOwn(allowed, t.name)) {
        lines.push(`ci-summary: ${file}: ${t.status}, allowed: ${t.name} (${allowed[t.name]})`);
      } else {
        lines.push(`ci-summary: ${file}: ${t.status} and not on the allow-list in scripts/ci-summary.mjs: ${t.name}`);
        failed += 1;
      }
    }
  }
  lines.push(`${skipped} skipped`, `${passed} passed, ${failed} failed`);
  return { passed, failed, skipped, lines };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const reports = process.argv.slice(2).map((file) => {
    try {
      return { file, report: JSON.parse(readFileSync(file, 'utf8')) };
    } catch (error) {
      return { file, report: null, error: error.message };
    }
  });
  const { failed, lines } = summarise(reports);
  for (const line of lines) console.log(line);
  process.exit(failed > 0 ? 1 : 0);
}
