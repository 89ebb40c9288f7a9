// Every form init() and initSync() accept, each in a fresh copy of the module graph (the
// compiled core is per-process state), plus their errors, retries and idempotence.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

const wasmPath = join(__dirname, '..', 'build', 'core.wasm');
const bytes = new Uint8Array(readFileSync(wasmPath));

type Lib = typeof import('../src/index');
type Core = typeof import('../src/core/wasm');
let lib: Lib;
let core: Core;

beforeEach(async () => {
  vi.resetModules();
  lib = await import('../src/index');
  core = await import('../src/core/wasm');
});

let server: Server;
let base: string;
const requests: string[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    if (req.url === '/core.wasm') res.writeHead(200, { 'content-type': 'application/wasm' }).end(labelled('served as application/wasm'));
    else if (req.url === '/octet/core.wasm') res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(labelled('served as octet-stream'));
    else res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** The core's bytes with a custom section "wasmnet-test" holding `label` appended: the same
 *  code, but a module that can be told apart from the inlined core (and from other labels). */
function labelled(label: string): Uint8Array<ArrayBuffer> {
  const name = new TextEncoder().encode('wasmnet-test');
  const payload = new TextEncoder().encode(label);
  const body = [name.length, ...name, ...payload];
  if (body.length > 127) throw new Error('label too long for a one-byte section size');
  return new Uint8Array([...bytes, 0, body.length, ...body]);
}

/** The label of a module made by labelled(), or undefined (the inlined core, say). */
function labelOf(module: WebAssembly.Module): string | undefined {
  const [section] = WebAssembly.Module.customSections(module, 'wasmnet-test');
  return section === undefined ? undefined : new TextDecoder().decode(section);
}

/** The modules networks are instantiated from, seen through the WebAssembly global (what a
 *  user's runtime provides), not through the library's internals. */
const instantiated: WebAssembly.Module[] = [];
const RealInstance = WebAssembly.Instance;
beforeAll(() => {
  WebAssembly.Instance = new Proxy(RealInstance, {
    construct(target, args, newTarget) {
      instantiated.push(args[0] as WebAssembly.Module);
      return Reflect.construct(target, args, newTarget) as object;
    },
  });
});
afterAll(() => {
  WebAssembly.Instance = RealInstance;
});

/** The loaded core works: a network on the wasm backend computes the same as on the JS one;
 *  with `label`, that network runs on the module compiled from the source given to init. */
function expectWorkingCore(label?: string): void {
  const config = { inputSize: 2, layers: [lib.dense(3, { activation: 'tanh' }), lib.dense(1)], loss: 'mse', seed: 3 } as const;
  instantiated.length = 0;
  const wasm = new lib.Network({ ...config, backend: 'wasm' }).predict([[0.5, -1]]);
  expect(instantiated).toHaveLength(1);
  if (label !== undefined) expect(labelOf(instantiated[0]!)).toBe(label);
  const js = new lib.Network({ ...config, backend: 'js' }).predict([[0.5, -1]]);
  expect(wasm[0]![0]).toBeCloseTo(js[0]![0]!, 12);
}

function isModule(x: unknown): boolean {
  return Object.prototype.toString.call(x) === '[object WebAssembly.Module]';
}

describe('init(source)', () => {
  it('nothing: compiles the inlined core', async () => {
    await lib.init();
    expect(isModule(core.coreModule())).toBe(true);
    expectWorkingCore();
    expect(labelOf(instantiated[0]!)).toBeUndefined();
  });

  it('a WebAssembly.Module: used as is', async () => {
    const module = new WebAssembly.Module(labelled('module'));
    await lib.init(module);
    expect(core.coreModule()).toBe(module);
    expectWorkingCore('module');
    expect(instantiated[0]).toBe(module);
  });

  it('a WebAssembly.Module from another realm', async () => {
    const module = runInNewContext('new WebAssembly.Module(bytes)', { bytes: labelled('other realm') }) as WebAssembly.Module;
    expect(module instanceof WebAssembly.Module).toBe(false);
    await lib.init(module);
    expect(core.coreModule()).toBe(module);
    expectWorkingCore('other realm');
  });

  it.each([
    ['Uint8Array', () => labelled('Uint8Array')],
    ['ArrayBuffer', () => labelled('ArrayBuffer').buffer],
    ['Node Buffer', () => Buffer.from(labelled('Node Buffer'))],
    ['DataView', () => new DataView(labelled('DataView').buffer)],
    ['a view into a larger buffer', () => {
      const inner = labelled('a view into a larger buffer');
      const outer = new Uint8Array(inner.length + 16);
      outer.set(inner, 8);
      return new Uint8Array(outer.buffer, 8, inner.length);
    }],
  ])('the bytes as %s', async (name, make) => {
    await lib.init(make());
    expectWorkingCore(name);
  });

  it('a Response served as application/wasm (compileStreaming)', async () => {
    await lib.init(new Response(labelled('streamed'), { headers: { 'content-type': 'application/wasm' } }));
    expectWorkingCore('streamed');
  });

  it('a Response with another content type (compiled from its bytes)', async () => {
    await lib.init(new Response(labelled('response bytes')));
    expectWorkingCore('response bytes');
  });

  it('a promise of a Response: init(fetch(url))', async () => {
    await lib.init(fetch(`${base}/octet/core.wasm`));
    expectWorkingCore('served as octet-stream');
  });

  it('a URL object', async () => {
    await lib.init(new URL('/core.wasm', base));
    expect(requests).toContain('/core.wasm');
    expectWorkingCore('served as application/wasm');
  });

  it('a URL string', async () => {
    await lib.init(`${base}/octet/core.wasm`);
    expectWorkingCore('served as octet-stream');
  });
});

describe('init errors', () => {
  it('an HTTP error names the status and URL, and a later init can still succeed', async () => {
    const failed = lib.init(`${base}/missing.wasm`);
    await expect(failed).rejects.toThrow(lib.InitError);
    await expect(failed).rejects.toThrow(/HTTP 404 for http:\/\/127\.0\.0\.1:\d+\/missing\.wasm/);
    await lib.init(labelled('retry'));
    expectWorkingCore('retry');
  });

  it('a file: URL (fetch cannot load it in Node) says to pass the bytes instead', async () => {
    await expect(lib.init(pathToFileURL(wasmPath))).rejects.toThrow(/cannot fetch file: URLs.*pass the bytes/);
  });

  it('bytes that are not WebAssembly', async () => {
    await expect(lib.init(new Uint8Array([1, 2, 3, 4]))).rejects.toThrow(/could not load the wasmnet WebAssembly core: CompileError/);
  });

  it('something else', async () => {
    await expect(lib.init({} as never)).rejects.toThrow(/expects a WebAssembly\.Module, the \.wasm bytes, a Response or a URL, got \[object Object\]/);
    await expect(lib.init(null as never)).rejects.toThrow(lib.InitError);
    await expect(lib.init(42 as never)).rejects.toThrow(/got number/);
  });
});

describe('a runtime that forbids compiling WebAssembly from bytes (Workers, Next.js Edge)', () => {
  // What such a runtime throws, faked through the WebAssembly global
  const refusal = () => new WebAssembly.CompileError('WebAssembly.compile(): Wasm code generation disallowed by embedder');

  it('init(bytes): an InitError that says to pass an imported module, and a module still works', async () => {
    const compile = vi.spyOn(WebAssembly, 'compile').mockRejectedValue(refusal());
    try {
      const failed = lib.init(labelled('refused'));
      await expect(failed).rejects.toThrow(lib.InitError);
      await expect(failed).rejects.toThrow(
        /^could not load the wasmnet WebAssembly core: CompileError: WebAssembly\.compile\(\): Wasm code generation disallowed by embedder; this runtime forbids compiling WebAssembly from bytes: pass init\(\) an imported WebAssembly\.Module \(Workers: `import core from "wasmnet\/core\.wasm"`\), or let the bundler pick the package's `workerd` or `edge-light` entry$/,
      );
    } finally {
      compile.mockRestore();
    }
    await lib.init(new WebAssembly.Module(labelled('imported')));
    expectWorkingCore('imported');
  });

  it('initSync(bytes): the same hint, and the advice to call await init() first', () => {
    const RealModule = WebAssembly.Module;
    WebAssembly.Module = function () {
      throw refusal();
    } as unknown as typeof WebAssembly.Module;
    try {
      expect(() => lib.initSync(labelled('refused'))).toThrow(
        /^could not compile the wasmnet WebAssembly core synchronously \(CompileError: .*disallowed by embedder\); this runtime forbids compiling WebAssembly from bytes: pass init\(\) an imported WebAssembly\.Module .*; or call `await init\(\)` first$/,
      );
    } finally {
      WebAssembly.Module = RealModule;
    }
  });

  it('another compile error gets no such hint: the message is the engine’s error, nothing added', async () => {
    const bad = new Uint8Array([0, 0x61, 0x73, 0x6d, 9, 0, 0, 0]);
    const engine = await WebAssembly.compile(bad).then(() => undefined, (error: unknown) => String(error));
    await expect(lib.init(bad)).rejects.toThrow(new lib.InitError(`could not load the wasmnet WebAssembly core: ${engine}`));
  });
});

describe('init(source): the forms at their edges', () => {
  it('a Response is streamed (compileStreaming) only when served as exactly application/wasm; any other is compiled from its bytes', async () => {
    const streaming = vi.spyOn(WebAssembly, 'compileStreaming');
    const streamed = async (type: string | undefined) => {
      vi.resetModules();
      lib = await import('../src/index');
      streaming.mockClear();
      await lib.init(new Response(labelled(`type ${type}`), type === undefined ? {} : { headers: { 'content-type': type } }));
      expectWorkingCore(`type ${type}`);
      return streaming.mock.calls.length === 1;
    };
    try {
      expect(await streamed('application/wasm')).toBe(true);
      expect(await streamed(' application/wasm ')).toBe(true);
      // spellings Node's compileStreaming refuses (browsers accept them): compiled from the bytes
      expect(await streamed('Application/WASM')).toBe(false);
      expect(await streamed('application/wasm; charset=binary')).toBe(false);
      expect(await streamed('application/wasm ;x')).toBe(false);
      expect(await streamed('application/wasmx')).toBe(false);
      expect(await streamed('text/application/wasm')).toBe(false);
      expect(await streamed('application/octet-stream')).toBe(false);
      expect(await streamed(undefined)).toBe(false);
    } finally {
      streaming.mockRestore();
    }
  });

  it('a runtime without compileStreaming compiles an application/wasm Response from its bytes', async () => {
    const real = WebAssembly.compileStreaming;
    (WebAssembly as { compileStreaming?: unknown }).compileStreaming = undefined;
    try {
      await lib.init(new Response(labelled('no streaming'), { headers: { 'content-type': 'application/wasm' } }));
      expectWorkingCore('no streaming');
    } finally {
      WebAssembly.compileStreaming = real;
    }
  });

  it('a Response-like object without headers (only ok and arrayBuffer) is read as bytes', async () => {
    await lib.init({ ok: true, arrayBuffer: async () => labelled('response-like').buffer } as never);
    expectWorkingCore('response-like');
  });

  it('an HTTP error without a URL says only the status', async () => {
    await expect(lib.init(new Response('no', { status: 500 }))).rejects.toThrow(
      new lib.InitError('could not load the wasmnet WebAssembly core: Error: fetching the core answered HTTP 500'),
    );
  });

  it('a URL that cannot be fetched names it, with no file: hint', async () => {
    const failed = lib.init('http://127.0.0.1:1/core.wasm');
    await expect(failed).rejects.toThrow(lib.InitError);
    await expect(failed).rejects.toThrow(/^could not load the wasmnet WebAssembly core: Error: fetch\(http:\/\/127\.0\.0\.1:1\/core\.wasm\) failed: TypeError: fetch failed$/);
  });

  it('null is named as null', async () => {
    await expect(lib.init(null as never)).rejects.toThrow(/expects a WebAssembly\.Module, the \.wasm bytes, a Response or a URL, got null$/);
    expect(() => lib.initSync(null as never)).toThrow(/^initSync expects a WebAssembly\.Module or the \.wasm bytes, got null$/);
  });

  it('once initSync has loaded a core, init(anything) resolves and keeps it', async () => {
    lib.initSync(labelled('sync first'));
    await expect(lib.init(new Uint8Array([1, 2, 3]))).resolves.toBeUndefined();
    expectWorkingCore('sync first');
  });
});

describe('initSync(source)', () => {
  it('nothing: the inlined core', () => {
    lib.initSync();
    expectWorkingCore();
  });

  it('a WebAssembly.Module', () => {
    const module = new WebAssembly.Module(labelled('sync module'));
    lib.initSync(module);
    expect(core.coreModule()).toBe(module);
    expectWorkingCore('sync module');
  });

  it('the bytes', () => {
    lib.initSync(labelled('sync bytes'));
    expectWorkingCore('sync bytes');
  });

  it('refuses other values and bad bytes with InitError', () => {
    expect(() => lib.initSync('core.wasm' as never)).toThrow(/initSync expects a WebAssembly\.Module or the \.wasm bytes, got string/);
    expect(() => lib.initSync(new Uint8Array([0, 1, 2]))).toThrow(lib.InitError);
    lib.initSync(labelled('after refusals')); // still loadable afterwards
    expectWorkingCore('after refusals');
  });
});

describe('idempotence', () => {
  it('concurrent init calls share one compilation; later calls ignore their argument', async () => {
    const module = new WebAssembly.Module(labelled('first'));
    const first = lib.init(module);
    const second = lib.init(labelled('second'));
    expect(second).toBe(first);
    await Promise.all([first, second]);
    await lib.init(labelled('third')); // a no-op once loaded
    lib.initSync(labelled('fourth')); // likewise
    expect(core.coreModule()).toBe(module);
    expectWorkingCore('first');
  });

  it('a network created before init() compiles the inlined core synchronously', async () => {
    expectWorkingCore();
    const module = core.coreModule();
    await lib.init();
    expect(core.coreModule()).toBe(module);
  });

  it('initSync during a pending init keeps the first loaded module', async () => {
    const pending = lib.init(new Response(labelled('pending')));
    const module = new WebAssembly.Module(labelled('sync'));
    lib.initSync(module);
    await pending;
    expect(core.coreModule()).toBe(module);
    expectWorkingCore('sync');
  });
});
