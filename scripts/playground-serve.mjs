// `npm run playground`: builds the playground and serves it on http://127.0.0.1:<port>/.
//   node scripts/playground-serve.mjs [--port 5173] [--no-build] [--dir examples/playground/dist]
// The server is a few lines of node:http serving files from one folder (GET and HEAD only);
// test/playground uses the same function. It serves the page cross-origin isolated
// (ISOLATION_HEADERS), which is what lets wasmnet's `threads` run in a browser.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CSP, ISOLATION_HEADERS, buildPlayground, defaultOut } from './playground-build.mjs';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/** Serves `dir` on 127.0.0.1; resolves to { server, url }. Every file is sent with
 *  ISOLATION_HEADERS (unless `isolate` is false: the test checks the page without them), pages
 *  and scripts with the CSP (both from playground-build.mjs, which writes them into _headers). */
export function serveStatic(dir, { port = 0, host = '127.0.0.1', isolate = true } = {}) {
  const base = resolve(dir);
  const server = createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    let path;
    try {
      path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    } catch {
      res.writeHead(400).end('bad request');
      return;
    }
    let file = join(base, path);
    if (file !== base && !file.startsWith(base + sep)) {
      res.writeHead(403).end('forbidden');
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const type = TYPES[extname(file)] ?? 'application/octet-stream';
    const headers = { 'content-type': type, 'cache-control': 'no-cache', ...(isolate ? ISOLATION_HEADERS : {}) };
    if (type.startsWith('text/html') || type.startsWith('text/javascript')) headers['content-security-policy'] = CSP;
    res.writeHead(200, headers);
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const { port: actual } = server.address();
      resolvePromise({ server, url: `http://${host}:${actual}/` });
    });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const value = (flag, fallback) => (argv.includes(flag) ? argv[argv.indexOf(flag) + 1] : fallback);
  const dir = resolve(value('--dir', defaultOut));
  if (!argv.includes('--no-build')) {
    const { files, ms } = await buildPlayground({ out: dir });
    console.log(`playground: built in ${ms} ms (${files.map((f) => `${f.name} ${(f.bytes / 1024).toFixed(1)} KB`).join(', ')})`);
  }
  const asked = value('--port', process.env.PORT);
  let served;
  try {
    served = await serveStatic(dir, { port: Number(asked ?? 5173) });
  } catch (error) {
    if (error.code !== 'EADDRINUSE' || asked !== undefined) throw error;
    served = await serveStatic(dir); // 5173 is taken: any free port
  }
  const { url } = served;
  console.log(`playground: serving ${dir}`);
  console.log(`playground: open ${url}   (Ctrl+C to stop)`);
}
