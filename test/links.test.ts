// No dead links in the docs: every relative link and #anchor in README.md, CHANGELOG.md,
// CONTRIBUTING.md and docs/**/*.md must resolve. A relative link must name a file or folder
// that exists in the repository; an anchor (`#training-options`, `docs/training.md#callbacks`)
// must be the slug GitHub gives one of the target's headings, or an explicit id/name. Links to
// other sites (https:, mailto:) are not fetched.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';
import { markdownFiles, repoRoot, withoutCode } from './helpers/markdown';

/**
 * GitHub's heading anchors (github-slugger, as used for READMEs and .md files): the heading's
 * text as rendered (markup removed), lower-cased, with every character that is not a letter,
 * mark, digit, connector (`_`), hyphen or space removed, and each space made a hyphen. Repeats
 * of one slug in a file get `-1`, `-2`, ….
 */
export function githubSlug(headingText: string): string {
  return headingText
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** A heading's text as GitHub renders it: inline code keeps its content, links their text, emphasis and HTML tags go. */
function headingText(markdown: string): string {
  return markdown
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]*)\]\[[^\]]*\]/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/`+([^`]*)`+/g, '$1')
    .replace(/\*+/g, '')
    .replace(/(^|\W)_+(?=\S)/g, '$1')
    .replace(/(?<=\S)_+(?=\W|$)/g, '')
    .replace(/\\(.)/g, '$1')
    .trim();
}

/** Every anchor a Markdown text defines: heading slugs (with GitHub's -1, -2 for repeats) and explicit id= / name= attributes. */
export function anchors(text: string): Set<string> {
  const found = new Set<string>();
  const seen = new Map<string, number>();
  const prose = withoutCode(text);
  const lines = prose.split('\n');
  const add = (raw: string): void => {
    const base = githubSlug(headingText(raw));
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    found.add(count === 0 ? base : `${base}-${count}`);
  };
  for (let i = 0; i < lines.length; i++) {
    const atx = /^ {0,3}#{1,6}\s+(.*?)(?:\s+#+\s*)?$/.exec(lines[i]!);
    if (atx) add(atx[1]!);
    else if (i > 0 && lines[i - 1]!.trim() !== '' && /^ {0,3}(=+|-+)\s*$/.test(lines[i]!) && !/^\s*([-*_]\s*){3,}$/.test(lines[i - 1]!)) add(lines[i - 1]!);
  }
  for (const m of prose.matchAll(/<[a-z][^>]*\s(?:id|name)=["']([^"']+)["']/gi)) found.add(m[1]!);
  return found;
}

interface Link {
  line: number;
  target: string;
}

/** The link targets of a Markdown text, outside code blocks and inline code: inline links, images, reference definitions, HTML href/src. */
export function links(text: string): Link[] {
  const found: Link[] = [];
  withoutCode(text)
    .split('\n')
    .forEach((raw, index) => {
      const line = raw.replace(/(`+)[^`]*?\1/g, (m) => ' '.repeat(m.length));
      for (const m of line.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+["'(][^)]*)?\)/g)) found.push({ line: index + 1, target: m[1]! });
      const definition = /^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/.exec(line);
      if (definition) found.push({ line: index + 1, target: definition[1]! });
      for (const m of line.matchAll(/\s(?:href|src)=["']([^"']+)["']/gi)) found.push({ line: index + 1, target: m[1]! });
    });
  return found;
}

/** What is wrong with one file's links, as `file:line: message`; `read` gives a repository file's text. */
export function linkProblems(file: string, text: string, fs: { exists(path: string): boolean; isFile(path: string): boolean; read(path: string): string }): string[] {
  const problems: string[] = [];
  for (const { line, target } of links(text)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) continue; // https:, mailto:, …
    const hash = target.indexOf('#');
    const pathPart = decodeURIComponent(hash < 0 ? target : target.slice(0, hash)).split('?')[0]!;
    const anchor = hash < 0 ? undefined : decodeURIComponent(target.slice(hash + 1));
    const where = `${file}:${line}: ${target}`;
    let targetFile = file;
    if (pathPart !== '') {
      if (pathPart.startsWith('/')) {
        problems.push(`${where}: an absolute path (breaks on npm and in forks); use a relative link`);
        continue;
      }
      targetFile = normalize(join(dirname(file), pathPart)).split('\\').join('/').replace(/\/$/, '');
      if (targetFile.startsWith('..')) {
        problems.push(`${where}: points outside the repository`);
        continue;
      }
      if (!fs.exists(targetFile)) {
        problems.push(`${where}: ${targetFile} does not exist`);
        continue;
      }
    }
    if (anchor === undefined || anchor === '') continue;
    if (!targetFile.endsWith('.md') || !fs.isFile(targetFile)) continue; // e.g. src/x.ts#L10: GitHub's line anchors
    if (!anchors(fs.read(targetFile)).has(anchor)) problems.push(`${where}: ${targetFile} has no heading or id "${anchor}"`);
  }
  return problems;
}

const repoFs = {
  exists: (path: string) => existsSync(join(repoRoot, path)),
  isFile: (path: string) => statSync(join(repoRoot, path)).isFile(),
  read: (path: string) => readFileSync(join(repoRoot, path), 'utf8'),
};

describe('the link check itself', () => {
  it('makes the anchors GitHub makes', () => {
    const md = [
      '# wasmnet',
      '### `new Network(config)`',
      '## Activations, losses, optimizers, initialisers',
      '## How the WebAssembly core is loaded',
      '## Errors',
      '## Errors',
      '## Node ≥ 20, Bun & Deno (ESM)',
      '## **Bold** and [a link](x.md) and <code>html</code>',
      '```sh',
      '# not a heading',
      '```',
      'Setext heading',
      '---',
      '<a id="explicit"></a>',
      '<!-- setup:',
      '# not a heading either',
      '[not a link](nowhere.md)',
      '-->',
      '## snake_case_name and 2-D data',
    ].join('\n');
    expect([...anchors(md)].sort()).toEqual(
      [
        'wasmnet',
        'new-networkconfig',
        'activations-losses-optimizers-initialisers',
        'how-the-webassembly-core-is-loaded',
        'errors',
        'errors-1',
        'node--20-bun--deno-esm',
        'bold-and-a-link-and-html',
        'setext-heading',
        'explicit',
        'snake_case_name-and-2-d-data',
      ].sort(),
    );
  });

  it('reports a dead file, a dead anchor and an absolute path, with file and line, and ignores code', () => {
    const files: Record<string, string> = {
      'docs/a.md': '# A\n## Real heading\n',
    };
    const fake = {
      exists: (p: string) => p in files || p === 'docs',
      isFile: (p: string) => p in files,
      read: (p: string) => files[p]!,
    };
    const text = [
      '[ok](docs/a.md#real-heading) [ok too](docs/)',
      '[dead file](docs/b.md)',
      '[dead anchor](docs/a.md#not-there) [self](#nowhere)',
      '`[in code](nope.md)` [web](https://example.com/x.md)',
      '```md',
      '[in a block](nope.md)',
      '```',
      '<img src="/abs.png">',
      '# Top',
      '[self ok](#top)',
      '<!-- setup: [in a comment](nope.md) -->',
    ].join('\n');
    files['README.md'] = text;
    expect(linkProblems('README.md', text, fake)).toEqual([
      'README.md:2: docs/b.md: docs/b.md does not exist',
      'README.md:3: docs/a.md#not-there: docs/a.md has no heading or id "not-there"',
      'README.md:3: #nowhere: README.md has no heading or id "nowhere"',
      'README.md:8: /abs.png: an absolute path (breaks on npm and in forks); use a relative link',
    ]);
  });
});

describe('links in the docs', () => {
  const files = markdownFiles();
  it('covers the README and the guides', () => {
    expect(files).toContain('README.md');
  });
  it.each(files)('%s: every relative link and anchor resolves', (file) => {
    expect(linkProblems(file, repoFs.read(file), repoFs)).toEqual([]);
  });
});
