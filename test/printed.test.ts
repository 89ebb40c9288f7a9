// The values the docs print, asserted where they are printed: each listed line of a docs code
// block, `EXPR; // PRINTED` or `console.log(ARGS); // PRINTED`, is rewritten to capture what it
// computes, the block runs (as test/docs.test.ts runs it), and the result must read as the
// comment says. "…" in the comment stands for digits (or, before a value, anything) not shown;
// spaces are ignored. The comment is read from the Markdown, so editing either the code or the
// printed value alone fails here. README's `npm start` line ("93.00%") is checked by
// test/examples.test.ts.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import { codeBlocks, repoRoot } from './helpers/markdown';

/** [Markdown file, the statement as written before its `//` comment] */
const PRINTED: [string, string][] = [
  ['README.md', 'net.predict([[1, 0]]);'],
  ['docs/interop.md', 'console.log(f32.length, f64.length, back.predict([[1, 2, 3]])[0]![0] === net.predict([[1, 2, 3]])[0]![0]);'],
  ['docs/interop.md', 'console.log(again.layers.map((l) => l.type), again.loss);'],
];

/** The printed comment as a pattern: spaces dropped, `1.23…` → 1.23 and more digits, a leading
 *  `…` → anything. */
function pattern(printed: string): RegExp {
  const text = printed.replace(/\s+/g, '');
  let source = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '…') source += i === 0 ? '.*' : '\\d*';
    else source += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/** What the statement shows: console.log's text for console.log, else the value as Node shows it. */
const shown = (value: unknown, isLog: boolean): string =>
  (isLog ? (value as unknown[]).map((v) => (typeof v === 'string' ? v : inspect(v))).join(' ') : inspect(value, { depth: 10 })).replace(/\s+/g, '');

const blocksDir = join(repoRoot, '.docs-blocks');

describe.each(PRINTED)('%s: %s', (file, statement) => {
  it('prints what its comment says', async () => {
    const blocks = codeBlocks(file, readFileSync(join(repoRoot, file), 'utf8')).filter((b) => b.code.split('\n').some((l) => l.startsWith(`${statement} //`)));
    expect(blocks, `one block of ${file} with the line "${statement} // …"`).toHaveLength(1);
    const block = blocks[0]!;
    expect(block.marker ?? '', 'a block that runs (no fragment marker)').not.toMatch(/^fragment/);
    const lines = block.code.split('\n');
    const at = lines.findIndex((l) => l.startsWith(`${statement} //`));
    const printed = lines[at]!.slice(statement.length + ' //'.length).trim();
    const isLog = statement.startsWith('console.log(');
    const expr = isLog ? `[${statement.slice('console.log('.length, -');'.length)}]` : statement.slice(0, -1);
    lines[at] = `export const __printed = ${expr};`;
    const setup = block.marker?.match(/^setup:\s*([\s\S]*)$/)?.[1] ?? '';
    mkdirSync(blocksDir, { recursive: true });
    const path = join(blocksDir, `printed-${file.replace(/[^A-Za-z0-9.-]+/g, '_')}-L${block.line + at + 1}.ts`);
    writeFileSync(path, `${setup}\n${lines.join('\n')}\n`);
    // as test/docs.test.ts runs a block: a fresh directory with docs/data's files, output captured
    const workDir = mkdtempSync(join(tmpdir(), 'wasmnet-printed-'));
    const dataDir = join(repoRoot, 'docs', 'data');
    if (existsSync(dataDir)) for (const name of readdirSync(dataDir)) copyFileSync(join(dataDir, name), join(workDir, name));
    const quiet = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const cwd = process.cwd();
    process.chdir(workDir);
    let value: unknown;
    try {
      ({ __printed: value } = (await import(/* @vite-ignore */ path)) as { __printed: unknown });
    } finally {
      process.chdir(cwd);
      quiet.mockRestore();
      rmSync(workDir, { recursive: true, force: true });
    }
    expect(shown(value, isLog)).toMatch(pattern(printed));
  }, 60_000);
});

describe('the printed-value patterns', () => {
  it('match what they show and nothing else', () => {
    expect('[[0.9691]]').toMatch(pattern('[[0.969…]]'));
    expect('[[0.9701]]').not.toMatch(pattern('[[0.969…]]'));
    expect('[[0.969]]').toMatch(pattern('[[0.969…]]'));
    expect('1234 5678 true'.replace(/\s+/g, '')).toMatch(pattern('… true'));
    expect('1234 5678 false'.replace(/\s+/g, '')).not.toMatch(pattern('… true'));
    expect(shown([['dense', 'dropout'], 'mse'], true)).toMatch(pattern("[ 'dense', 'dropout' ] mse"));
    expect(shown([['dense'], 'mse'], true)).not.toMatch(pattern("[ 'dense', 'dropout' ] mse"));
  });
});
