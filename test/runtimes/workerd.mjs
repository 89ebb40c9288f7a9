// Runs wrangler-bundled workers in Cloudflare's workerd through miniflare, with the module rules
// wrangler uses (ESModule for .js, CompiledWasm for .wasm), and fetches each once.
// Usage: node workerd.mjs <bundle dir> [<bundle dir>...]   (each holds wrangler's out/ files)
// Needs WASMNET_RUNTIME_TOOLS. Prints one `RESULT {...}` line per worker.
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const { Miniflare } = createRequire(join(process.env.WASMNET_RUNTIME_TOOLS, 'package.json'))('miniflare');
let failed = false;
for (const dir of process.argv.slice(2)) {
  const script = readdirSync(dir).find((f) => f.endsWith('.js'));
  const mf = new Miniflare({
    modules: true,
    scriptPath: join(dir, script),
    modulesRoot: dir,
    modulesRules: [
      { type: 'ESModule', include: ['**/*.js'] },
      { type: 'CompiledWasm', include: ['**/*.wasm'] },
      { type: 'Data', include: ['**/*.onnx', '**/*.keras'] },
    ],
    compatibilityDate: '2026-04-01',
  });
  let out;
  try {
    const response = await mf.dispatchFetch('http://localhost/');
    const text = await response.text();
    try {
      out = JSON.parse(text);
    } catch {
      out = { error: `HTTP ${response.status}: ${text.slice(0, 2000)}` };
    }
  } catch (error) {
    out = { error: String(error?.stack ?? error) };
  } finally {
    await mf.dispose();
  }
  if (out.error) failed = true;
  console.log(`RESULT ${JSON.stringify({ bundle: dir, ...out })}`);
}
process.exit(failed ? 1 : 0);
