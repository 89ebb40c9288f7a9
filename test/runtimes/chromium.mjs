// Runs the smoke pages in headless Chromium (Debian's /usr/bin/chromium driven by
// playwright-core; no browser is downloaded). Serves the consumer directory from 127.0.0.1 with
// a Content-Security-Policy that allows WebAssembly and blob: workers but not eval, so a
// library that used eval or new Function would fail here. Two query parameters of a page
// change the headers its HTML is served with:
//   isolated         adds Cross-Origin-Opener-Policy: same-origin and
//                    Cross-Origin-Embedder-Policy: require-corp (the page is cross-origin
//                    isolated, so wasmnet's threads can run);
//   csp=no-worker    drops `worker-src blob:` from the CSP (the threads' workers are refused);
//   csp=worker-self  allows `worker-src 'self' blob:` (a page that starts its own module worker).
// Usage: node chromium.mjs <consumer dir> <page> [<page>...]   (pages like /index.html?init=url,
// served from the directory, or full http:// URLs of another server, e.g. `next start`)
// Needs WASMNET_RUNTIME_TOOLS (the installed test/runtimes/tools); CHROMIUM_PATH overrides
// /usr/bin/chromium. Prints one `RESULT {...}` line per page.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { extname, join, normalize, sep } from 'node:path';

const [dir, ...pages] = process.argv.slice(2);
const tools = process.env.WASMNET_RUNTIME_TOOLS;
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(executablePath)) {
  console.error(`Chromium not found at ${executablePath}: install it with \`apt-get install -y chromium\` (or set CHROMIUM_PATH)`);
  process.exit(2);
}
const { chromium } = createRequire(join(tools, 'package.json'))('playwright-core');

const types = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };
const csp = "default-src 'self'; script-src 'self' 'nonce-wasmnet-smoke' 'wasm-unsafe-eval'";
const isolation = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };
/** The headers of an HTML page requested with `url`. */
function pageHeaders(url) {
  const query = url.searchParams;
  return {
    'content-security-policy': query.get('csp') === 'no-worker' ? csp : query.get('csp') === 'worker-self' ? `${csp}; worker-src 'self' blob:` : `${csp}; worker-src blob:`,
    ...(query.has('isolated') ? isolation : {}),
  };
}
const server = createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  const path = normalize(decodeURIComponent(url.pathname));
  const file = join(dir, path);
  if (!file.startsWith(dir + sep) || !existsSync(file) || !statSync(file).isFile()) {
    res.writeHead(404).end('not found');
    return;
  }
  const type = types[extname(file)] ?? 'application/octet-stream';
  res.writeHead(200, { 'content-type': type, ...(type === 'text/html' ? pageHeaders(url) : {}) });
  res.end(readFileSync(file));
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${server.address().port}`;

const browser = await chromium.launch({
  executablePath,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
let failed = false;
try {
  for (const page of pages) {
    const context = await browser.newContext();
    const tab = await context.newPage();
    const problems = [];
    tab.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    tab.on('console', (message) => message.type() === 'error' && problems.push(`console: ${message.text()}`));
    tab.on('requestfailed', (request) => problems.push(`request failed: ${request.url()} ${request.failure()?.errorText}`));
    // downloads the page starts: their suggested names and sizes join its result
    const downloads = [];
    tab.on('download', (download) =>
      downloads.push(download.path().then((path) => ({ name: download.suggestedFilename(), bytes: statSync(path).size }))),
    );
    let out;
    try {
      await tab.goto(/^https?:/.test(page) ? page : origin + page);
      const handle = await tab.waitForFunction(() => globalThis.__smoke, null, { timeout: 90_000 });
      out = await handle.jsonValue();
      // a page may ask to be followed by another in the same browser context (a reload that
      // reads what the first one stored): its result then carries the first one's as `first`
      if (out.result?.next) {
        const first = { ...out.result, downloads: await Promise.all(downloads) };
        await tab.goto(origin + out.result.next);
        const again = await tab.waitForFunction(() => globalThis.__smoke, null, { timeout: 90_000 });
        out = await again.jsonValue();
        if (out.result) out.result.first = first;
      }
    } catch (error) {
      out = { error: `${error.message}${problems.length ? `\n${problems.join('\n')}` : ''}` };
    }
    if (out.error && problems.length && !out.error.includes(problems[0])) out.error += `\n${problems.join('\n')}`;
    if (out.error) failed = true;
    console.log(`RESULT ${JSON.stringify({ page, ...(out.result ?? {}), ...(out.error ? { error: out.error } : {}) })}`);
    await context.close();
  }
} finally {
  await browser.close();
  server.close();
}
process.exit(failed ? 1 : 0);
