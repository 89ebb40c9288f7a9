// Checks the package as users get it: builds, packs (`npm pack`), unpacks the tarball, then
//   - its file list, package.json (zero runtime dependencies, sideEffects, every export target);
//   - the built entries: no eval / new Function, no `node:` or other module import from the
//     default (ESM, CJS) entries, only `./core.wasm` from the workerd entry and
//     `./core.wasm?module` from the edge-light entry, which must not carry the inlined (hex) core,
//     only 'wasmnet' from the subpath entries (onnx, tfjs, threads, keras);
//   - readable names in dist/ (error classes and functions keep theirs: stack traces read);
//   - no `WebAssembly.compile(await …)` in one expression (Next.js's dev sandbox wraps the call
//     in a non-async function);
//   - the size users pay: a minimal app (`import { Network, dense, init } from 'wasmnet'`)
//     bundled with esbuild --bundle --minify into one file, gzipped (budget 45 KB), and the same
//     app with wasmnet/onnx, wasmnet/tfjs or wasmnet/threads added;
//   - publint --strict and @arethetypeswrong/cli on the tarball.
// Usage: node scripts/check-package.mjs [--no-build] [--json report.json] [--keep]
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import esbuild from 'esbuild';
import { Checks, build, describeFailure, pack, parseArgs, root, run, tail } from './package-tools.mjs';

const args = parseArgs(process.argv.slice(2));
// The size users pay: their bundler's minified output. Bytes gzipped (level 9) of a minimal app
// (`import { Network, dense, init } from 'wasmnet'`, one network, one predict) bundled by
// esbuild --bundle --minify --format=esm into one file: the whole library it pulls in, the core
// inlined (issue 20: ≤ 45 KB; it was 60.3 KB while the threads code came along).
const BUDGET_APP_GZ = 45_000;
// The same app plus one subpath entry, over the minimal app: what importing it adds.
// Measured 2026-12-07 with the normalization layers' readers and writers (issue 22) and the
// hostile-file hardening (issue 21: limits, linear indexes, lazy decoding, graph checks): onnx
// +13.5 KB, tfjs +8.2 KB, threads +27.8 KB (its own threads build of the core, base64, and the
// pool), storage +20.4 KB (it brings the onnx and tfjs readers), keras +19.4 KB before the
// hardening (zip and HDF5 readers, the HDF5 writer, and its copy of fromTfjs, whose graph-model
// reader, 2.3 KB, it does not use). Issue 23 (onnxruntime's dynamic quantization read and
// dequantized, skl2onnx's LinearClassifier/LinearRegressor, its float64 L1 normalization and
// binary column pick): onnx +16.9 KB (+2.5 KB), storage +24.3 KB (it carries the same reader).
const BUDGET_ADDED_GZ = { onnx: 18_500, tfjs: 9_000, threads: 30_000, storage: 26_000, keras: 21_500 };

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
  const missing = ['dist/index.js', 'dist/index.cjs', 'dist/index.workerd.js', 'dist/index.edge-light.js', 'dist/threads.js', 'dist/threads.cjs', 'dist/core.wasm'].filter((f) => !files.includes(f));
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
      'dist/keras.cjs',
      'dist/keras.d.cts',
      'dist/keras.d.ts',
      'dist/keras.js',
      'dist/onnx.cjs',
      'dist/onnx.d.cts',
      'dist/onnx.d.ts',
      'dist/onnx.js',
      'dist/storage.cjs',
      'dist/storage.d.cts',
      'dist/storage.d.ts',
      'dist/storage.js',
      'dist/tfjs.cjs',
      'dist/tfjs.d.cts',
      'dist/tfjs.d.ts',
      'dist/tfjs.js',
      'dist/threads.cjs',
      'dist/threads.d.cts',
      'dist/threads.d.ts',
      'dist/threads.edge.js',
      'dist/threads.js',
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
    for (const [entry, conditions] of [['.', ['workerd', 'edge-light', 'import', 'require']], ['./onnx', ['import', 'require']], ['./tfjs', ['import', 'require']], ['./threads', ['workerd', 'edge-light', 'import', 'require']], ['./storage', ['import', 'require']], ['./keras', ['import', 'require']]]) {
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
    // a dynamic import is listed as `import(path)`: none is allowed
    const found = Object.values(metafile.inputs).flatMap((input) => input.imports.map((i) => (i.kind === 'dynamic-import' ? `import(${i.path})` : i.path)));
    const code = read(file);
    if (/\bimport\s*\(\s*[^"'`\s)]/.test(code)) found.push('<computed dynamic import>');
    if (/\brequire\s*\(\s*[^"'`\s)]/.test(code)) found.push('<computed require>');
    return found;
  };

  const entries = {
    // the main entries never load the threads code (wasmnet/threads is a separate entry), so a
    // bundle of an app without threads is one file without it (Rollup's output.file works)
    'dist/index.js': [],
    'dist/index.cjs': [],
    'dist/index.workerd.js': ['./core.wasm'],
    'dist/index.edge-light.js': ['./core.wasm?module'],
    // the subpath entries share the main entry through the package's own name (one copy)
    'dist/threads.js': ['wasmnet'],
    'dist/threads.cjs': ['wasmnet'],
    'dist/threads.edge.js': ['wasmnet'],
    'dist/storage.js': ['wasmnet', 'wasmnet/onnx', 'wasmnet/tfjs'],
    'dist/storage.cjs': ['wasmnet', 'wasmnet/onnx', 'wasmnet/tfjs'],
    'dist/onnx.js': ['wasmnet'],
    'dist/onnx.cjs': ['wasmnet'],
    'dist/tfjs.js': ['wasmnet'],
    'dist/tfjs.cjs': ['wasmnet'],
    // wasmnet/keras carries its own copy of the Keras-topology reader of wasmnet/tfjs
    'dist/keras.js': ['wasmnet'],
    'dist/keras.cjs': ['wasmnet'],
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

  await checks.check('default entries inline the core; the workerd and edge-light entries (and their wasmnet/threads) do not', () => {
    if (/AGFzbQ|0061736d01000000/.test(read('dist/threads.edge.js'))) throw new Error('dist/threads.edge.js contains inlined WebAssembly');
    if (!/AGFzbQ/.test(read('dist/threads.js'))) throw new Error('dist/threads.js lacks the threads core');
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

  await checks.check('readable dist: error classes and functions keep their names (stack traces read)', () => {
    const code = read('dist/index.js');
    const cjs = read('dist/index.cjs');
    const missing = ['ConfigError = class extends WasmnetError', 'ThreadError = class extends WasmnetError', 'function resolveConfig(', 'Engine = class {']
      .filter((text) => !code.includes(text) || !cjs.includes(text));
    if (missing.length > 0) throw new Error(`dist/index.js or index.cjs lacks ${missing.join(', ')}: identifiers were minified`);
    const lines = code.split('\n').filter((line) => !/["'][0-9a-f]{1000,}["'];?$/.test(line)); // the inlined core
    const longest = Math.max(...lines.map((line) => line.length));
    if (longest > 1000) throw new Error(`a line of ${longest} characters in dist/index.js (besides the inlined core): minified?`);
    return `${code.split('\n').length} lines, longest ${longest} characters besides the core`;
  });

  // The size users pay, as their bundler writes it: one file, minified, gzipped.
  const appDir = join(work, 'size-app');
  mkdirSync(join(appDir, 'node_modules'), { recursive: true });
  symlinkSync(pkgDir, join(appDir, 'node_modules', 'wasmnet'), 'dir');
  const minimal = [
    "import { Network, dense, init } from 'wasmnet';",
    'await init();',
    "const net = new Network({ inputSize: 2, layers: [dense(3, { activation: 'tanh' }), dense(1, { activation: 'sigmoid' })], loss: 'mse', seed: 42 });",
    'console.log(net.predict([[1, 0]]));',
  ];
  const extras = {
    onnx: ["import { fromONNX, toONNX } from 'wasmnet/onnx';", 'console.log(fromONNX(toONNX(net)).predict([[1, 0]]));'],
    tfjs: ["import { fromTfjs, toTfjs } from 'wasmnet/tfjs';", 'const saved = toTfjs(net);', 'console.log(fromTfjs(saved.modelJSON, saved.weightData).predict([[1, 0]]));'],
    threads: ["import { initThreads } from 'wasmnet/threads';", 'console.log(await initThreads());'],
    // storage brings the onnx and tfjs importers (it loads their models)
    keras: ["import { fromKeras, toKeras } from 'wasmnet/keras';", 'console.log((await fromKeras(toKeras(net))).predict([[1, 0]]));'],
    storage: ["import { load, save } from 'wasmnet/storage';", "await save(net, 'indexeddb://m');", "console.log(await load('indexeddb://m'));"],
  };
  const bundled = (name, lines) => {
    writeFileSync(join(appDir, `${name}.mjs`), lines.join('\n') + '\n');
    const result = esbuild.buildSync({
      entryPoints: [join(appDir, `${name}.mjs`)],
      bundle: true,
      minify: true,
      format: 'esm',
      write: false,
      logLevel: 'silent',
      outfile: join(appDir, `${name}.out.js`),
    });
    if (result.outputFiles.length !== 1) throw new Error(`${name}: esbuild wrote ${result.outputFiles.length} files, expected one`);
    return gzipSync(result.outputFiles[0].contents, { level: 9 }).length;
  };
  const kb = (n) => `${(n / 1000).toFixed(1)} KB`;
  let appGz = 0;
  await checks.check(`size: a minimal app bundled by esbuild --bundle --minify, gzipped ≤ ${kb(BUDGET_APP_GZ)}`, () => {
    appGz = bundled('minimal', minimal);
    const core = gzipSync(wasm, { level: 9 }).length;
    console.log(`    size: minimal app ${kb(appGz)} gzip (the core alone, as a .wasm, ${kb(core)} gzip); dist/index.js unminified ${kb(read('dist/index.js').length)} raw`);
    if (appGz > BUDGET_APP_GZ) throw new Error(`${appGz} bytes gzipped, over the ${BUDGET_APP_GZ}-byte budget`);
    return `${kb(appGz)} gz`;
  });

  for (const [name, lines] of Object.entries(extras)) {
    await checks.check(`size: the minimal app + wasmnet/${name}, bundled the same way, adds ≤ ${kb(BUDGET_ADDED_GZ[name])} gzipped`, () => {
      const [imports, ...rest] = [lines[0], ...lines.slice(1)];
      const total = bundled(name, [minimal[0], imports, ...minimal.slice(1), ...rest]);
      const added = total - appGz;
      if (added > BUDGET_ADDED_GZ[name]) throw new Error(`wasmnet/${name} adds ${added} bytes gzipped (${total} in all), over ${BUDGET_ADDED_GZ[name]}`);
      return `${kb(total)} gz in all: +${kb(added)}`;
    });
  }

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
