// `npm run playground:screenshot`: regenerates docs/playground.png, the README's picture of the
// playground. Builds the page, opens it in headless Chromium (test/playground/browser.mjs),
// trains the default run (two spirals) for 100 epochs on the js backend and on to 300 on the
// wasm backend (the default), so that the speed readout compares the two, and saves the page.
//   node scripts/playground-screenshot.mjs [--out docs/playground.png] [--scale 1]
import { mkdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, openPage, settled, trainToLimit } from '../test/playground/browser.mjs';
import { parseArgs } from './package-tools.mjs';
import { buildPlayground, defaultOut } from './playground-build.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = parseArgs(process.argv.slice(2));
const out = resolve(typeof args.out === 'string' ? args.out : join(root, 'docs', 'playground.png'));
const scale = Number(args.scale ?? 1);

await buildPlayground({ quiet: true });
const session = await launch(defaultOut);
try {
  const { page, problems } = await openPage(session.browser, session.url, { width: 1320, height: 800, deviceScaleFactor: scale });
  const setLimit = async (epochs) => {
    await page.fill('#epochs', String(epochs));
    await page.press('#epochs', 'Enter');
    await page.waitForFunction((n) => globalThis.playground.settings.epochs === n, epochs);
  };
  const backend = async (name) => {
    await page.click(`[data-backend="${name}"]`);
    await page.waitForFunction((b) => globalThis.playground.settings.backend === b && globalThis.playground.last.backend === b, name);
  };
  await backend('js');
  await setLimit(100);
  await trainToLimit(page);
  await backend('wasm');
  await setLimit(300);
  await trainToLimit(page);
  await settled(page);
  await page.mouse.move(0, 0); // no hover highlight
  mkdirSync(dirname(out), { recursive: true });
  await page.screenshot({ path: out, fullPage: true });
  if (problems.length > 0) throw new Error(problems.join('\n'));
  const accuracy = await page.textContent('#testAccuracy');
  const speed = await page.textContent('#speed-note');
  console.log(`playground: wrote ${relative(process.cwd(), out)} (${(statSync(out).size / 1024).toFixed(0)} KB): test accuracy ${accuracy}; ${speed}`);
} finally {
  await session.close();
}
