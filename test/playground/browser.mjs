// Opens the built playground in headless Chromium: Debian's /usr/bin/chromium (or CHROMIUM_PATH)
// driven by the playwright-core that test/runtimes/tools.mjs installs into its cache directory
// (no browser is downloaded), the page served from 127.0.0.1 by scripts/playground-serve.mjs.
// Used by test/playground/run.mjs and scripts/playground-screenshot.mjs.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { serveStatic } from '../../scripts/playground-serve.mjs';
import { ensureTools } from '../runtimes/tools.mjs';

/** The launch flags of ../shared/TOOLCHAIN.md (playwright adds --headless and a fresh profile). */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Serves `dir` and launches Chromium; resolves to { browser, url, toolsNote, close() }. */
export async function launch(dir) {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    throw new Error(`Chromium not found at ${executablePath}: install it with \`apt-get install -y chromium\` (or set CHROMIUM_PATH)`);
  }
  const { dir: tools, note: toolsNote } = await ensureTools();
  const { chromium } = createRequire(join(tools, 'package.json'))('playwright-core');
  const { server, url } = await serveStatic(dir);
  let browser;
  try {
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  } catch (error) {
    server.close();
    throw error;
  }
  return {
    browser,
    url,
    toolsNote,
    async close() {
      await browser.close().catch(() => {});
      server.close();
    },
  };
}

/** A page at `url` whose errors (page errors, console errors, failed requests) are collected
 *  in `problems`. Waits until the worker has answered and the first heat map is drawn. */
export async function openPage(browser, url, { width = 1320, height = 860, deviceScaleFactor = 1 } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, deviceScaleFactor, acceptDownloads: true });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => message.type() === 'error' && problems.push(`console error: ${message.text()}`));
  page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()} ${request.failure()?.errorText}`));
  await page.goto(url);
  await settled(page);
  return { context, page, problems };
}

/** Waits until every progress message that arrived has been drawn (and at least one has). */
export function settled(page, timeout = 30_000) {
  return page.waitForFunction(() => globalThis.playground?.ready === true, null, { timeout, polling: 50 });
}

/** Clicks Train and waits for the run to end (the limit reached, or paused). */
export async function trainToLimit(page, timeout = 120_000) {
  const before = await page.evaluate(() => globalThis.playground.events.length);
  await page.click('#train');
  await page.waitForFunction(
    (n) => {
      const p = globalThis.playground;
      return p.events.slice(n).some((e) => e === 'done' || e === 'paused') && !p.running;
    },
    before,
    { timeout, polling: 50 },
  );
  await settled(page);
}
