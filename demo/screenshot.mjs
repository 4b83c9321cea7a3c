// Smoke check of `npm start`: runs scripts/start.mjs in the background, opens the printed URL in
// headless Debian Chromium (playwright-core), opens the Flux view (when the extension contributes
// it) and a HelmRelease, saves test-results/demo.png, then stops start.mjs with SIGINT and checks
// that it shut down cleanly.
//
//   node demo/screenshot.mjs [--no-build]
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'test-results', 'demo.png');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const t0 = Date.now();
const say = (line) => console.log(`[demo ${((Date.now() - t0) / 1000).toFixed(1)}s] ${line}`);

const start = spawn(process.execPath, [path.join(ROOT, 'scripts', 'start.mjs'), ...process.argv.slice(2)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
let out = '';
start.stdout.on('data', (b) => {
  out += b.toString();
  process.stdout.write(b);
});
const url = await new Promise((resolve, reject) => {
  const timer = setInterval(() => {
    const m = /^FLUX_DEMO_URL=(.*)$/m.exec(out);
    if (m) {
      clearInterval(timer);
      resolve(m[1]);
    } else if (start.exitCode !== null) {
      clearInterval(timer);
      reject(new Error(`start.mjs exited with ${start.exitCode}`));
    }
  }, 100);
});

let code = 0;
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
try {
  const page = await (await browser.newContext({ viewport: { width: 1600, height: 1000 } })).newPage();
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
  await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ state: 'visible', timeout: 60_000 });
  say('workbench open');
  // Open the podinfo HelmRelease through Quick Open.
  await sleep(2000);
  await page.locator('.monaco-workbench').click({ position: { x: 800, y: 500 } });
  await page.keyboard.press('Control+P');
  await page.locator('.quick-input-widget input').waitFor({ state: 'visible', timeout: 10_000 });
  await page.keyboard.type('podinfo/release.yaml');
  await page.locator('.quick-input-list .monaco-list-row').first().waitFor({ state: 'visible', timeout: 10_000 });
  await sleep(500);
  await page.keyboard.press('Enter');
  await page.locator('.monaco-editor .view-lines').first().waitFor({ state: 'visible', timeout: 20_000 });
  // The Flux activity-bar container, if the extension contributes it.
  const flux = page.locator('.activitybar [aria-label^="Flux"]').first();
  if (await flux.count()) {
    await flux.click();
    await page.locator('.pane-header[aria-label*="Helm"], .pane-header:has-text("HelmReleases")').first().waitFor({ state: 'visible', timeout: 20_000 }).catch(() => undefined);
    say('Flux view opened');
  } else {
    say('no Flux container in the activity bar (cluster UI not contributed yet)');
  }
  await page.mouse.move(900, 700);
  await sleep(5000);
  mkdirSync(path.dirname(OUT), { recursive: true });
  await page.screenshot({ path: OUT });
  say(`screenshot ${path.relative(ROOT, OUT)}`);
} catch (err) {
  console.error(err);
  await browser.contexts()[0]?.pages()[0]?.screenshot({ path: OUT.replace('.png', '-error.png') }).catch(() => undefined);
  code = 1;
} finally {
  await browser.close().catch(() => undefined);
  start.kill('SIGINT');
  const exited = await Promise.race([new Promise((r) => start.once('exit', () => r(true))), sleep(15_000).then(() => false)]);
  if (!exited) {
    console.error('start.mjs did not stop within 15 s of SIGINT');
    start.kill('SIGKILL');
    code = 1;
  } else say(`start.mjs stopped (exit ${start.exitCode})`);
}
process.exit(code);
