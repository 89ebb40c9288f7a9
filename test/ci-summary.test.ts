// scripts/ci-summary.mjs: the line CI reads. A test that neither passed nor failed (skipped,
// pending, todo) fails CI unless it is on the script's commented allow-list.
import { describe, expect, it } from 'vitest';
import { ALLOWED_NOT_RUN, summarise } from '../scripts/ci-summary.mjs';

type Status = 'passed' | 'failed' | 'skipped' | 'pending' | 'todo';
/** A vitest JSON report with these tests (one file). */
function report(tests: [string, Status][]) {
  const count = (s: Status) => tests.filter(([, t]) => t === s).length;
  return {
    numTotalTests: tests.length,
    numPassedTests: count('passed'),
    numFailedTests: count('failed'),
    numPendingTests: count('skipped') + count('pending'),
    numTodoTests: count('todo'),
    success: count('failed') === 0,
    testResults: [{ assertionResults: tests.map(([fullName, status]) => ({ fullName, title: fullName, status })) }],
  };
}

describe('ci-summary', () => {
  it('counts passes and failures over several reports', () => {
    const r = summarise([
      { file: 'a.json', report: report([['a', 'passed'], ['b', 'passed']]) },
      { file: 'b.json', report: report([['c', 'passed'], ['d', 'failed']]) },
    ]);
    expect([r.passed, r.failed, r.skipped]).toEqual([3, 1, 0]);
    expect(r.lines.at(-1)).toBe('3 passed, 1 failed');
  });

  it.each(['skipped', 'pending', 'todo'] as const)('a %s test not on the allow-list fails, by name', (status) => {
    const r = summarise([{ file: 'a.json', report: report([['works', 'passed'], ['quietly gone', status]]) }], {});
    expect(r.failed).toBe(1);
    expect(r.skipped).toBe(1);
    expect(r.lines).toContain(`ci-summary: a.json: ${status} and not on the allow-list in scripts/ci-summary.mjs: quietly gone`);
    expect(r.lines.at(-1)).toBe('1 passed, 1 failed');
  });

  it('a skipped test on the allow-list is reported with its reason and does not fail', () => {
    const r = summarise([{ file: 'a.json', report: report([['works', 'passed'], ['needs a GPU', 'skipped']]) }], { 'needs a GPU': 'no GPU on CI' });
    expect(r.failed).toBe(0);
    expect(r.lines).toContain('ci-summary: a.json: skipped, allowed: needs a GPU (no GPU on CI)');
    expect(r.lines.at(-2)).toBe('1 skipped');
  });

  it('counts that do not add up (a report without names) fail too', () => {
    const r = summarise([{ file: 'x.json', report: { numTotalTests: 3, numPassedTests: 2, numFailedTests: 0, success: true } }], {});
    expect(r.failed).toBe(1);
    expect(r.lines).toContain('ci-summary: x.json: not run and not on the allow-list in scripts/ci-summary.mjs: (1 unnamed test(s))');
  });

  it('an unreadable report, a failed suite with no failed test, and an empty run each fail', () => {
    expect(summarise([{ file: 'gone.json', report: null, error: 'ENOENT' }]).failed).toBe(1);
    expect(summarise([{ file: 'a.json', report: { ...report([['a', 'passed']]), success: false } }]).failed).toBe(1);
    expect(summarise([{ file: 'a.json', report: report([]) }]).failed).toBe(1);
  });

  it('the allow-list is empty: every test runs on CI', () => {
    expect(ALLOWED_NOT_RUN).toEqual({});
  });
});
