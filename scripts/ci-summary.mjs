// Adds up vitest JSON reports (and the reports of scripts/check-package.mjs and
// test/runtimes/run.mjs, which use the same numPassedTests/numFailedTests/numTotalTests/success
// fields) and prints the one line CI reads: "N passed, N failed".
// A missing or unreadable report counts as a failure, so a crashed run can never look green.
import { readFileSync } from 'node:fs';

let passed = 0;
let failed = 0;
for (const file of process.argv.slice(2)) {
  try {
    const report = JSON.parse(readFileSync(file, 'utf8'));
    passed += report.numPassedTests;
    failed += report.numFailedTests;
    console.log(`ci-summary: ${file}: ${report.numPassedTests} of ${report.numTotalTests} ok${report.success ? '' : ' (not successful)'}`);
    if (!report.success && report.numFailedTests === 0) failed += 1; // e.g. a suite failed to load
    if (report.numTotalTests === 0) failed += 1; // running no test is a failure
  } catch (error) {
    console.error(`ci-summary: cannot read ${file}: ${error.message}`);
    failed += 1;
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
