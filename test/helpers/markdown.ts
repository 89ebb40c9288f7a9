// Reading the project's Markdown for the docs tests: which files, their fenced code blocks (with
// the marker comment written directly above each), and what lies outside the code.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** README.md, CHANGELOG.md, CONTRIBUTING.md and every .md file under docs/ (not docs/api/, which TypeDoc writes), relative to the repository root. */
export function markdownFiles(): string[] {
  const files = ['README.md', 'CHANGELOG.md', 'CONTRIBUTING.md'].filter((file) => {
    try {
      readFileSync(join(repoRoot, file));
      return true;
    } catch {
      return false;
    }
  });
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(repoRoot, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) {
        if (path !== 'docs/api') walk(path);
      } else if (entry.name.endsWith('.md')) files.push(path);
    }
  };
  walk('docs');
  return files.sort();
}

export interface CodeBlock {
  /** The Markdown file, relative to the repository root. */
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The fence's language (the first word of its info string), lower-cased. */
  lang: string;
  /** The block's text, without the fences. */
  code: string;
  /** The text of an HTML comment that ends on the line directly above the fence, trimmed. */
  marker?: string;
}

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([^`\s]*)/;

/** The fenced code blocks of one Markdown text. */
export function codeBlocks(file: string, text: string): CodeBlock[] {
  const lines = text.split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]!);
    if (!open) continue;
    const fence = open[1]!;
    let end = i + 1;
    while (end < lines.length && !new RegExp(`^ {0,3}${fence[0]}{${fence.length},}\\s*$`).test(lines[end]!)) end++;
    blocks.push({
      file,
      line: i + 1,
      lang: open[2]!.toLowerCase(),
      code: lines.slice(i + 1, end).join('\n'),
      marker: markerAbove(lines, i),
    });
    i = end;
  }
  return blocks;
}

function markerAbove(lines: string[], fenceIndex: number): string | undefined {
  const last = fenceIndex - 1;
  if (last < 0 || !lines[last]!.trimEnd().endsWith('-->')) return undefined;
  for (let start = last; start >= 0; start--) {
    const at = lines[start]!.indexOf('<!--');
    if (at >= 0) {
      const text = [lines[start]!.slice(at + 4), ...lines.slice(start + 1, last + 1)].join('\n');
      return text.slice(0, text.lastIndexOf('-->')).trim();
    }
  }
  return undefined;
}

/** The text with every fenced code block and HTML comment blanked out (line numbers kept), for link and heading scans. */
export function withoutCode(text: string): string {
  return blankCodeBlocks(text).replace(/<!--[\s\S]*?-->/g, (comment) => comment.replace(/[^\n]/g, ' '));
}

function blankCodeBlocks(text: string): string {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]!);
    if (!open) continue;
    const fence = open[1]!;
    let end = i + 1;
    while (end < lines.length && !new RegExp(`^ {0,3}${fence[0]}{${fence.length},}\\s*$`).test(lines[end]!)) end++;
    for (let j = i; j <= Math.min(end, lines.length - 1); j++) lines[j] = '';
    i = end;
  }
  return lines.join('\n');
}

/**
 * The fenced code blocks inside the TSDoc comments of a TypeScript source (`@example` sections),
 * with the comments' leading `*` removed and the file's own line numbers.
 */
export function tsdocCodeBlocks(file: string, source: string): CodeBlock[] {
  let inDoc = false;
  const lines = source.split('\n').map((line) => {
    if (!inDoc && /^\s*\/\*\*/.test(line)) inDoc = !line.includes('*/');
    else if (inDoc) {
      if (line.includes('*/')) inDoc = false;
      else return line.replace(/^\s*\* ?/, '');
    }
    return '';
  });
  return codeBlocks(file, lines.join('\n'));
}

/** Every .ts file under src/, relative to the repository root. */
export function sourceFiles(): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(repoRoot, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) files.push(path);
    }
  };
  walk('src');
  return files.sort();
}

export const relativeToRoot = (path: string): string => relative(repoRoot, path).split('\\').join('/');
