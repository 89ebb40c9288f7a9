// Checks the package as users get it: builds, packs (`npm pack`), unpacks the tarball, then
//   - its file list, package.json (zero runtime dependencies, sideEffects, every export target);
//   - the built entries: no eval / new Function, no `node:` or other module import from the
//     default (ESM, CJS) entries, only `./core.wasm` from the workerd entry and
//     `./core.wasm?module` from the edge-light entry, which must not carry the inlined (hex) core;
//   - no `WebAssembly.compile(await …)` in one expression (Next.js's dev sandbox wraps the call
//     in a non-async function);
//   - the gzipped size of the ESM entry including the inlined wasm (budget 40 KB);
//   - publint --strict and @arethetypeswrong/cli on the tarball.
// Usage: node scripts/check-package.mjs [--no-build] [--json report.json] [--keep]
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import esbuild from 'esbuild';
import { Checks, build, describeFailure, pack, parseArgs, root, run, tail } from './package-tools.mjs';

const args = parseArgs(process.argv.slice(2));
// Bytes, gzipped, for dist/index.js (the whole library with the core inlined): issue 4's
// 40 KB budget. (The core is built with shrinkLevel 1, which halved its inlined size without
// slowing the kernels; see ARCHITECTURE.md. Whitespace and local names are minified; error
// classes name themselves with string literals, so error.name survives.)
const BUDGET_GZ = 40_000;
// The interop entries, gzipped, without the library they import (issue 13). Measured at
// their introduction: onnx 10.3 KB, tfjs 4.6 KB.
const BUDGET_ONNX_GZ = 11_500;
const BUDGET_TFJS_GZ = 5_500;

const checks = new Checks('package checks');
const work = mkdtempSync(join(tmpdir(), 'wasmnet-package-'));
let tarball;
let files = [];
const pkgDir = join(work, 'package');

console.log('== package checks');
const ready = await checks.check('build and npm pack', async () => {
  if (!args['no-build']) await build();
  ({ tarball, files } = await pack(work));
  const untar = await run('tar', ['-xzf', tarball, '-C', work]);
  if (untar.code !== 0) throw new Error(describeFailure(untar, 'tar -xzf'));
  const missing = ['dist/index.js', 'dist/index.cjs', 'dist/index.workerd.js', 'dist/index.edge-light.js', 'dist/core.wasm'].filter((f) => !files.includes(f));
  if (missing.length > 0) throw new Error(`the tarball lacks ${missing.join(', ')}: did \`npm run build\` fail?`);
  return `${tarball.split('/').pop()} (${statSync(tarball).size} bytes)`;
});

if (ready) await checkTarball().catch((error) => checks.check('package checks ran to the end', () => { throw error; }));

async function checkTarball() {
  const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
  const read = (file) => readFileSync(join(pkgDir, file), 'utf8');

  await checks.check('tarball holds dist/ and nothing from src/, test/ or build/', () => {
    const expected = [
      'README.md',
      'dist/core.wasm',
      'dist/index.cjs',
      'dist/index.d.cts',
      'dist/index.d.ts',
      'dist/index.edge-light.js',
      'dist/index.js',
      'dist/index.workerd.js',
      'dist/onnx.cjs',
      'dist/onnx.d.cts',
      'dist/onnx.d.ts',
      'dist/onnx.js',
      'dist/tfjs.cjs',
      'dist/tfjs.d.cts',
      'dist/tfjs.d.ts',
      'dist/tfjs.js',
      'package.json',
    ];
    const optional = new Set(['LICENSE', 'LICENSE.md']);
    const actual = files.filter((f) => !optional.has(f)).sort();
    if (JSON.stringify(actual) !== JSON.stringify(expected)) {
      throw new Error(`files are ${actual.join(', ')}; expected ${expected.join(', ')}`);
    }
    return `${files.length} files`;
  });

  await checks.check('package.json: zero runtime dependencies, sideEffects false, every export target exists', () => {
    for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies', 'bundleDependencies']) {
      if (pkg[field] && Object.keys(pkg[field]).length > 0) throw new Error(`${field} is not empty: ${Object.keys(pkg[field]).join(', ')}`);
    }
    if (pkg.sideEffects !== false) throw new Error(`sideEffects is ${JSON.stringify(pkg.sideEffects)}, expected false`);
    const targets = [];
    const walk = (node, path) => {
      if (typeof node === 'string') targets.push([path, node]);
      else for (const [key, value] of Object.entries(node)) walk(value, `${path} → ${key}`);
    };
    walk(pkg.exports, 'exports');
    for (const field of ['main', 'module', 'types']) targets.push([field, pkg[field]]);
    for (const [path, target] of targets) {
      try {
        statSync(join(pkgDir, target));
      } catch {
        throw new Error(`${path} points to ${target}, which is not in the tarball`);
      }
    }
    for (const [entry, conditions] of [['.', ['workerd', 'edge-light', 'import', 'require']], ['./onnx', ['import', 'require']], ['./tfjs', ['import', 'require']]]) {
      for (const condition of conditions) {
        const target = pkg.exports[entry]?.[condition];
        if (!target?.types || Object.keys(target)[0] !== 'types') {
          throw new Error(`exports["${entry}"].${condition} needs "types" as its first key`);
        }
      }
    }
    return `${targets.length} targets`;
  });

  // Every import, dynamic import and require() of a file, found by esbuild's parser (its
  // metafile), plus any import()/require() of a computed name, which no bundler can follow.
  const imports = (file) => {
    const { metafile } = esbuild.buildSync({
      entryPoints: [join(pkgDir, file)],
      bundle: true,
      write: false,
      metafile: true,
      external: ['*'],
      platform: 'neutral',
      logLevel: 'silent',
    });
    const found = Object.values(metafile.inputs).flatMap((input) => input.imports.map((i) => i.path));
    const code = read(file);
    if (/\bimport\s*\(\s*[^"'`\s)]/.test(code)) found.push('<computed dynamic import>');
    if (/\brequire\s*\(\s*[^"'`\s)]/.test(code)) found.push('<computed require>');
    return found;
  };

  const entries = {
    'dist/index.js': [],
    'dist/index.cjs': [],
    'dist/index.workerd.js': ['./core.wasm'],
    'dist/index.edge-light.js': ['./core.wasm?module'],
    // the interop entries share the main entry through the package's own name (one copy)
    'dist/onnx.js': ['wasmnet'],
    'dist/onnx.cjs': ['wasmnet'],
    'dist/tfjs.js': ['wasmnet'],
    'dist/tfjs.cjs': ['wasmnet'],
  };

  await checks.check('no eval, new Function or Function() in any built file', () => {
    for (const file of files.filter((f) => /\.(c|m)?js$/.test(f))) {
      const code = read(file);
      const hit = code.match(/\beval\s*\(|\bnew\s+Function\b|(?<![.\w$])Function\s*\(|setTimeout\s*\(\s*["'`]/);
      if (hit) throw new Error(`${file} contains "${hit[0]}" at offset ${hit.index}`);
    }
  });

  // Next.js's dev sandbox (Turbopack and webpack) rewrites `WebAssembly.compile(x)` and its
  // siblings into a call inside a plain function, so an `await` in x is a SyntaxError there.
  await checks.check('no await inside the arguments of a WebAssembly call (Next.js dev sandbox)', () => {
    for (const file of files.filter((f) => /\.(c|m)?js$/.test(f))) {
      const code = read(file);
      for (const match of code.matchAll(/WebAssembly\.\w+\s*\(/g)) {
        // The argument list: up to the parenthesis that closes the call.
        const start = match.index + match[0].length;
        let end = start;
        for (let depth = 1; end < code.length; end++) {
          if (code[end] === '(') depth++;
          else if (code[end] === ')' && --depth === 0) break;
        }
        const argument = code.slice(start, end);
        if (/\bawait\b/.test(argument)) throw new Error(`${file}: ${match[0]}${argument})`);
      }
    }
  });

  for (const [file, allowed] of Object.entries(entries)) {
    await checks.check(`${file}: imports ${allowed.length ? allowed.join(', ') + ' only' : 'nothing'} (no node: builtins)`, () => {
      const code = read(file);
      const found = imports(file);
      const extra = found.filter((spec) => !allowed.includes(spec));
      if (extra.length > 0) throw new Error(`imports ${extra.join(', ')}`);
      if (/["'`]node:/.test(code)) throw new Error('mentions a node: module specifier');
      if (/\bimport\.meta\b/.test(code) && file.endsWith('.cjs')) throw new Error('uses import.meta in CommonJS');
      return found.length ? `imports: ${found.join(', ')}` : 'no imports';
    });
  }

  const wasm = readFileSync(join(pkgDir, 'dist/core.wasm'));
  const inlined = wasm.toString('hex');

  await checks.check('default entries inline the core; the workerd and edge-light entries do not', () => {
    for (const file of ['dist/index.js', 'dist/index.cjs']) {
      if (!read(file).includes(inlined)) throw new Error(`${file} does not contain dist/core.wasm as hex`);
    }
    const sizes = [];
    for (const file of ['dist/index.workerd.js', 'dist/index.edge-light.js']) {
      const code = read(file);
      if (code.includes(inlined.slice(0, 64)) || /AGFzbQ|0061736d01000000/.test(code)) throw new Error(`${file} contains inlined WebAssembly`);
      const saved = read('dist/index.js').length - code.length;
      if (saved < inlined.length * 0.9) throw new Error(`${file} is only ${saved} bytes smaller than the default entry`);
      sizes.push(`${file.slice(5)} ${code.length} bytes`);
    }
    return `${sizes.join(', ')} vs index.js ${read('dist/index.js').length}`;
  });

  await checks.check(`size: dist/index.js gzipped ≤ ${BUDGET_GZ / 1000} KB`, () => {
    const code = readFileSync(join(pkgDir, 'dist/index.js'));
    const gz = gzipSync(code, { level: 9 }).length;
    const br = brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
    const workerd = readFileSync(join(pkgDir, 'dist/index.workerd.js'));
    const workerdGz = gzipSync(workerd, { level: 9 }).length + gzipSync(wasm, { level: 9 }).length;
    const kb = (n) => `${(n / 1000).toFixed(1)} KB`;
    const jsOnly = gzipSync(code.toString('latin1').replace(inlined, ''), { level: 9 }).length;
    console.log(`    size: dist/index.js ${kb(code.length)} raw (core.wasm ${kb(wasm.length)} inlined as hex), ${kb(gz)} gzip, ${kb(br)} brotli`);
    console.log(`    size: of which JS without the core ${kb(jsOnly)} gzip, the core's hex ≈ ${kb(gz - jsOnly)} gzip (core.wasm alone ${kb(gzipSync(wasm, { level: 9 }).length)})`);
    console.log(`    size: workerd entry + core.wasm ${kb(workerd.length + wasm.length)} raw, ${kb(workerdGz)} gzip`);
    if (gz > BUDGET_GZ) throw new Error(`${gz} bytes gzipped, over the ${BUDGET_GZ}-byte budget`);
    return `${kb(gz)} gz (${kb(br)} brotli)`;
  });

  await checks.check(`size: dist/onnx.js gzipped ≤ ${BUDGET_ONNX_GZ / 1000} KB, dist/tfjs.js ≤ ${BUDGET_TFJS_GZ / 1000} KB`, () => {
    const gz = (file) => gzipSync(readFileSync(join(pkgDir, file)), { level: 9 }).length;
    const onnx = gz('dist/onnx.js');
    const tfjs = gz('dist/tfjs.js');
    if (onnx > BUDGET_ONNX_GZ) throw new Error(`dist/onnx.js is ${onnx} bytes gzipped, over ${BUDGET_ONNX_GZ}`);
    if (tfjs > BUDGET_TFJS_GZ) throw new Error(`dist/tfjs.js is ${tfjs} bytes gzipped, over ${BUDGET_TFJS_GZ}`);
    return `onnx ${(onnx / 1000).toFixed(1)} KB gz, tfjs ${(tfjs / 1000).toFixed(1)} KB gz (the library itself not included: they import it)`;
  });

  // 'wasmnet' with 'wasmnet/onnx' and 'wasmnet/tfjs' must be one library and one core: an
  // imported network is an instance of the Network class users import.
  for (const format of ['mjs', 'cjs']) {
    await checks.check(`one copy: 'wasmnet' + 'wasmnet/onnx' + 'wasmnet/tfjs' in ${format === 'mjs' ? 'ESM' : 'CommonJS'}`, async () => {
      const consumer = join(work, `consumer-${format}`);
      mkdirSync(join(consumer, 'node_modules'), { recursive: true });
      symlinkSync(pkgDir, join(consumer, 'node_modules', 'wasmnet'), 'dir');
      const body = [
        "const net = new Network({ inputSize: 2, layers: [dense(3, { activation: 'tanh' }), dense(1)], loss: 'mse', seed: 1 });",
        "const a = fromONNX(toONNX(net, { dtype: 'float64' }));",
        'const { modelJSON, weightData } = toTfjs(net);',
        'const b = fromTfjs(modelJSON, weightData);',
        "const same = a.predict([[0.5, -1]])[0][0] === net.predict([[0.5, -1]])[0][0];",
        "console.log(JSON.stringify({ a: a instanceof Network, b: b instanceof Network, same, error: (() => { try { fromONNX(new Uint8Array([1])); } catch (e) { return e instanceof FormatError; } })() }));",
      ].join('\n');
      const head = format === 'mjs'
        ? "import { Network, dense, FormatError } from 'wasmnet';\nimport { fromONNX, toONNX } from 'wasmnet/onnx';\nimport { fromTfjs, toTfjs } from 'wasmnet/tfjs';\n"
        : "const { Network, dense, FormatError } = require('wasmnet');\nconst { fromONNX, toONNX } = require('wasmnet/onnx');\nconst { fromTfjs, toTfjs } = require('wasmnet/tfjs');\n";
      writeFileSync(join(consumer, `main.${format}`), head + body);
      const result = await run(process.execPath, [join(consumer, `main.${format}`)], { cwd: consumer, timeout: 60_000 });
      if (result.code !== 0) throw new Error(describeFailure(result, `node main.${format}`));
      const seen = JSON.parse(result.stdout.trim().split('\n').pop());
      if (!seen.a || !seen.b || !seen.same || !seen.error) throw new Error(`got ${JSON.stringify(seen)}: a second copy of the library was loaded`);
      return 'imported networks are instanceof Network, FormatError is the same class';
    });
  }

  await checks.check('publint --strict (tarball)', async () => {
    const bin = join(root, 'node_modules', '.bin', 'publint');
    const result = await run(bin, ['run', tarball, '--strict'], { timeout: 120_000 });
    if (result.code !== 0) throw new Error(describeFailure(result, 'publint'));
    return tail(result.stdout, 1);
  });

  await checks.check('@arethetypeswrong/cli (tarball)', async () => {
    const bin = join(root, 'node_modules', '.bin', 'attw');
    // ./core.wasm is an asset for bundlers (Workers' CompiledWasm), not a TypeScript module.
    // Profile node16: subpath entries (wasmnet/onnx, wasmnet/tfjs) need package.json
    // "exports", which TypeScript's legacy `moduleResolution: "node"` (node10) ignores; the
    // package requires Node ≥ 20, and the main entry still resolves there through main/types.
    const result = await run(bin, [tarball, '--exclude-entrypoints', './core.wasm', '--profile', 'node16', '--format', 'table-flipped', '--no-color'], {
      timeout: 120_000,
    });
    if (result.code !== 0) throw new Error(describeFailure(result, 'attw'));
    return tail(result.stdout, 40).includes('No problems found') ? 'no problems found' : '';
  });
}

const ok = checks.finish(args.json ? resolve(args.json) : undefined);
if (!args.keep) rmSync(work, { recursive: true, force: true });
else console.log(`kept ${work}`);
process.exit(ok ? 0 : 1);
