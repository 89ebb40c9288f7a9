// Every TypeScript and JavaScript example in the docs is type-checked and executed, so the docs
// cannot drift from the code.
//
// Which blocks: the ```ts / ```typescript / ```js / ```javascript fences in README.md,
// CHANGELOG.md, CONTRIBUTING.md and docs/**/*.md (not docs/api/). Other fences (sh, text, html,
// json, …) are left alone. Each block is written to .docs-blocks/ (git-ignored) and:
//   - type-checked by TypeScript as an ES module (strict; JS with checkJs), where
//     `import … from 'wasmnet'`, 'wasmnet/onnx' and 'wasmnet/tfjs' resolve to their sources in
//     src/ (scripts/entry-points.mjs), so a misspelt option or a removed export fails here;
//   - then imported as an ES module (top-level await allowed) with the same resolution, in a fresh
//     temporary working directory (files it writes are thrown away; files in docs/data/, if
//     that folder exists, are copied there first for blocks that read small data). Output is
//     captured and shown only when the block fails. A block must finish within a minute on a
//     busy machine; keep them to small data and a few seconds at most.
// The marker: an HTML comment ending on the line directly above the opening fence (invisible
// on GitHub and npm) changes what happens:
//   <!-- fragment -->               type-checked only, not run (a piece of a larger program)
//   <!-- fragment: DECLARATIONS --> the same, with DECLARATIONS put before the block, to declare
//                                   what the fragment uses, e.g.
//                                   <!-- fragment: declare const net: import('wasmnet').Network; -->
//                                   (undeclared names are type errors: declare every one)
//   <!-- setup: CODE -->            run: CODE runs first, hidden from readers (e.g. the data
//                                   the block trains on)
// A failure names the Markdown file and line: `docs/training.md:42`.
// The ```ts blocks in the TSDoc comments of src/ (the `@example`s of the API reference) are
// checked the same way, markers included (` * <!-- fragment -->` above the fence).
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { entryPoints } from '../scripts/entry-points.mjs';
import { codeBlocks, markdownFiles, repoRoot, sourceFiles, tsdocCodeBlocks, type CodeBlock } from './helpers/markdown';

const RUN_LANGS: Record<string, 'ts' | 'js'> = { ts: 'ts', typescript: 'ts', js: 'js', javascript: 'js' };
const blocksDir = join(repoRoot, '.docs-blocks');

type Kind = 'run' | 'fragment';

interface Prepared extends CodeBlock {
  kind: Kind;
  /** The file the block was written to. */
  path: string;
  /** Lines put before the block's own code (from a fragment's declarations or a setup). */
  offset: number;
}

/** Reads a block's marker; throws on a marker this test does not know, so a typo cannot silently run or skip a block. */
function classify(block: CodeBlock): { kind: Kind; preamble: string } {
  const marker = block.marker;
  if (marker === undefined || !/^(fragment|setup)\b/.test(marker)) {
    if (marker !== undefined && /^(fragmnet|fragement|frag|setup|set-up|prelude|no-?run|skip)\b/i.test(marker))
      throw new Error(`${where(block)}: unknown marker <!-- ${marker} -->; use <!-- fragment -->, <!-- fragment: DECLARATIONS --> or <!-- setup: CODE -->`);
    return { kind: 'run', preamble: '' };
  }
  const match = /^(fragment|setup)\s*(?::\s*([\s\S]*))?$/.exec(marker);
  if (!match) throw new Error(`${where(block)}: cannot read the marker <!-- ${marker} --> (write "fragment", "fragment: …" or "setup: …")`);
  const preamble = (match[2] ?? '').trim();
  if (match[1] === 'setup' && preamble === '') throw new Error(`${where(block)}: <!-- setup: --> needs the code to run`);
  return { kind: match[1] === 'fragment' ? 'fragment' : 'run', preamble };
}

const where = (block: { file: string; line: number }): string => `${block.file}:${block.line}`;

function prepare(blocks: CodeBlock[]): Prepared[] {
  return blocks.map((block) => {
    const { kind, preamble } = classify(block);
    const lang = RUN_LANGS[block.lang]!;
    const name = `${block.file.replace(/[^A-Za-z0-9.-]+/g, '_')}-L${block.line}.${lang === 'ts' ? 'ts' : 'mjs'}`;
    const head = preamble === '' ? '' : `${preamble}\n`;
    const path = join(blocksDir, name);
    writeFileSync(path, `${head}${block.code}\n`);
    return { ...block, kind, path, offset: head === '' ? 0 : head.split('\n').length - 1 };
  });
}

/** The Markdown line of a line (0-based) of a block's file. */
function markdownLine(block: Prepared, fileLine: number): string {
  if (fileLine < block.offset) return `${where(block)} (in the marker above the block)`;
  return `${block.file}:${block.line + 1 + fileLine - block.offset}`;
}

/** Type-checks every block in one program; returns each block's errors as `file.md:line:col message`. */
function typeCheck(blocks: Prepared[], entries: Record<string, string>): Map<string, string[]> {
  const config = ts.getParsedCommandLineOfConfigFile(join(repoRoot, 'tsconfig.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  })!;
  const options: ts.CompilerOptions = {
    ...config.options,
    // what a user's strict project has: strict, but not this repository's extra index checks
    noUncheckedIndexedAccess: false,
    allowJs: true,
    checkJs: true,
    moduleDetection: ts.ModuleDetectionKind.Force,
    baseUrl: repoRoot,
    paths: Object.fromEntries(Object.entries(entries).map(([name, file]) => [name, [file]])),
    noEmit: true,
  };
  // the ambient `*.wasm` module, for `import core from 'wasmnet/core.wasm'` (a Workers-only import)
  const program = ts.createProgram([...blocks.map((b) => b.path), join(repoRoot, 'src/core/wasm-modules.d.ts')], options);
  const slashes = (path: string): string => path.split('\\').join('/');
  const byPath = new Map(blocks.map((b) => [slashes(b.path), b]));
  const errors = new Map<string, string[]>(blocks.map((b) => [b.path, []]));
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const file = diagnostic.file?.fileName;
    const block = file === undefined ? undefined : byPath.get(slashes(file));
    const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    if (!block || diagnostic.start === undefined) {
      // an error outside the blocks (in src/, say) breaks every block's check
      for (const list of errors.values()) list.push(`${file ?? '(no file)'}: TS${diagnostic.code} ${text}`);
      continue;
    }
    const { line, character } = diagnostic.file!.getLineAndCharacterOfPosition(diagnostic.start);
    errors.get(block.path)!.push(`${markdownLine(block, line)}:${character + 1} TS${diagnostic.code} ${text}`);
  }
  return errors;
}

/** Module specifiers a block imports from this package ('wasmnet', 'wasmnet/…'). */
function packageImports(code: string): string[] {
  const found = new Set<string>();
  for (const m of code.matchAll(/(?:from\s*|import\s*\(\s*|import\s+|require\s*\(\s*)(['"])(wasmnet(?:\/[^'"]*)?)\1/g)) found.add(m[2]!);
  return [...found];
}

/** Throws a clear error when a block imports an entry point that does not exist (yet). */
function checkImports(block: Prepared, entries: Record<string, string>): void {
  const code = readFileSync(block.path, 'utf8');
  for (const specifier of packageImports(code)) {
    const source = entries[specifier];
    if (source === undefined)
      throw new Error(`${where(block)}: imports '${specifier}', which is not an entry point of the package (known: ${Object.keys(entries).join(', ')})`);
    if (!existsSync(join(repoRoot, source)))
      throw new Error(`${where(block)}: imports '${specifier}', whose source ${source} does not exist`);
  }
}

/** Imports a block as an ES module in a fresh working directory; a failure names the Markdown line. */
async function runBlock(block: Prepared, entries: Record<string, string>): Promise<void> {
  checkImports(block, entries);
  const workDir = mkdtempSync(join(tmpdir(), 'wasmnet-docs-'));
  const dataDir = join(repoRoot, 'docs', 'data');
  if (existsSync(dataDir)) for (const name of readdirSync(dataDir)) copyFileSync(join(dataDir, name), join(workDir, name));
  const output: string[] = [];
  const capture = (...args: unknown[]): void => {
    output.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
  };
  const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((method) => vi.spyOn(console, method).mockImplementation(capture));
  const stderrWrite = process.stderr.write;
  const stdoutWrite = process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => (output.push(String(chunk)), true)) as typeof process.stderr.write;
  process.stdout.write = ((chunk: string | Uint8Array) => (output.push(String(chunk)), true)) as typeof process.stdout.write;
  const cwd = process.cwd();
  process.chdir(workDir);
  try {
    await import(/* @vite-ignore */ block.path);
  } catch (error) {
    const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
    const mapped = stack.replaceAll(new RegExp(`(?:file://)?${escape(block.path)}:(\\d+)(?::\\d+)?`, 'g'), (_, line: string) => markdownLine(block, Number(line) - 1));
    const shown = output.join('').trim();
    throw new Error(`${where(block)}: the block threw: ${mapped}${shown ? `\n--- its output ---\n${shown.slice(-2000)}` : ''}`, { cause: error });
  } finally {
    process.chdir(cwd);
    process.stderr.write = stderrWrite;
    process.stdout.write = stdoutWrite;
    for (const spy of spies) spy.mockRestore();
    rmSync(workDir, { recursive: true, force: true });
  }
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// The real blocks, plus a few made-up ones that check this harness fails when it should.
const SELF_TEST = '(self-test).md';
const selfTestMarkdown = [
  '<!-- fragment -->',
  '```ts',
  'trainX.length;', // an undeclared name in a fragment: a type error
  '```',
  '<!-- fragment: declare const trainX: number[][]; -->',
  '```ts',
  'trainX.length;', // declared: fine
  '```',
  '```ts',
  "import { dense } from 'wasmnet';",
  "dense(2, { activation: 'relu' });",
  "throw new Error('thrown on purpose');", // line 12 of the Markdown
  '```',
  '```js',
  "import { definitelyNotAnExport } from 'wasmnet/nope';",
  '```',
  '<!-- setup: const rows = [[0, 1]]; -->',
  '```ts',
  "if (rows.length !== 1) throw new Error('setup did not run');",
  '```',
].join('\n');

const markdown = markdownFiles();
const allBlocks = [
  ...markdown.flatMap((file) => codeBlocks(file, readFileSync(join(repoRoot, file), 'utf8'))),
  ...sourceFiles().flatMap((file) => tsdocCodeBlocks(file, readFileSync(join(repoRoot, file), 'utf8'))),
].filter((b) => b.lang in RUN_LANGS);
const files = [...markdown, ...new Set(allBlocks.filter((b) => b.file.startsWith('src/')).map((b) => b.file))];
const selfBlocks = codeBlocks(SELF_TEST, selfTestMarkdown);
let prepared: Prepared[] = [];
let selfPrepared: Prepared[] = [];
let errors = new Map<string, string[]>();

beforeAll(() => {
  rmSync(blocksDir, { recursive: true, force: true });
  mkdirSync(blocksDir, { recursive: true });
  prepared = prepare(allBlocks);
  selfPrepared = prepare(selfBlocks);
  errors = typeCheck([...prepared, ...selfPrepared], entryPoints);
});

afterAll(() => {
  rmSync(blocksDir, { recursive: true, force: true });
});

describe('the docs test itself', () => {
  it('finds the Markdown files and their code blocks', () => {
    expect(files).toContain('README.md');
    expect(allBlocks.length).toBeGreaterThan(10);
    expect(allBlocks.some((b) => b.file === 'src/network.ts')).toBe(true); // an @example
  });

  it('fails a fragment that uses an undeclared name, with the Markdown line', () => {
    expect(errors.get(selfPrepared[0]!.path)).toEqual([`${SELF_TEST}:3:1 TS2304 Cannot find name 'trainX'.`]);
    expect(errors.get(selfPrepared[1]!.path)).toEqual([]);
  });

  it('fails a block that throws, naming the Markdown line', async () => {
    const block = selfPrepared[2]!;
    expect(errors.get(block.path)).toEqual([]);
    await expect(runBlock(block, entryPoints)).rejects.toThrow(new RegExp(`^${escape(SELF_TEST)}:9: the block threw: Error: thrown on purpose[\\s\\S]*${escape(SELF_TEST)}:12`));
  });

  it('fails a block that imports a missing entry point, saying which', async () => {
    const block = selfPrepared[3]!;
    expect(errors.get(block.path)!.join('\n')).toContain("Cannot find module 'wasmnet/nope'");
    await expect(runBlock(block, entryPoints)).rejects.toThrow(`${SELF_TEST}:14: imports 'wasmnet/nope', which is not an entry point of the package`);
    await expect(runBlock(block, { ...entryPoints, 'wasmnet/nope': 'src/nope/index.ts' })).rejects.toThrow(
      `${SELF_TEST}:14: imports 'wasmnet/nope', whose source src/nope/index.ts does not exist`,
    );
  });

  it('runs a setup before its block', async () => {
    await runBlock(selfPrepared[4]!, entryPoints);
  });

  it('refuses a misspelt marker', () => {
    expect(() => classify({ file: 'x.md', line: 4, lang: 'ts', code: '', marker: 'fragmnet' })).toThrow('x.md:4: unknown marker <!-- fragmnet -->');
  });
});

describe.each(files)('%s', (file) => {
  const blocks = allBlocks.filter((b) => b.file === file);
  // A file the parser found no block in: checked against a plain count of its fences, so a
  // parser that stopped seeing blocks fails here instead of passing with nothing run.
  if (blocks.length === 0) {
    it('has no TypeScript or JavaScript blocks', () => {
      const text = readFileSync(join(repoRoot, file), 'utf8');
      expect(text.match(/^ {0,3}(```|~~~)\s*(ts|typescript|js|javascript)\b/gim) ?? []).toEqual([]);
    });
  }
  for (const b of blocks) {
    it(`${where(b)} (${b.lang}${b.marker?.startsWith('fragment') ? ', fragment: type-checked' : ''})`, async () => {
      const block = prepared.find((p) => p.file === b.file && p.line === b.line)!;
      const found = errors.get(block.path)!;
      if (found.length > 0) throw new Error(`${where(block)}: does not type-check:\n${found.join('\n')}`);
      if (block.kind === 'run') await runBlock(block, entryPoints);
    }, 60_000);
  }
});
