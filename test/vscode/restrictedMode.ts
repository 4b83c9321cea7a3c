/**
 * The packaged extension in Restricted Mode, in a real VS Code (code-server in Chromium): the
 * `.vsix` that `npm run package` builds is installed (not the development folder), workspace trust
 * is on and the workspace is not trusted. Diagnostics must still appear; the Flux view must say that
 * it needs trust instead of reading the kubeconfig. Prints "N passed, N failed" for npm test.
 *
 *   node --import tsx test/vscode/restrictedMode.ts
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { CODE_SERVER_ENTRY, launchCodeServer } from '../../scripts/vscode/codeServer.mjs';

const ROOT = path.resolve(__dirname, '../..');
const RESULTS = path.join(ROOT, 'test-results');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const say = (text: string) => console.log(`[restricted-mode] ${text}`);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function poll<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not seen within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function main(): Promise<number> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'flux-restricted-'));
  const results: Array<{ name: string; error?: string }> = [];
  let codeServer: ChildProcess | undefined;
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  let page: Page | undefined;
  try {
    const vsix = path.join(tmp, 'flux-helmrelease.vsix');
    const packaged = spawnSync('npm', ['run', '-s', 'package', '--', '--out', vsix], { cwd: ROOT, encoding: 'utf8' });
    if (packaged.status !== 0) throw new Error(`npm run package failed:\n${packaged.stdout}\n${packaged.stderr}`);
    const installed = spawnSync(process.execPath, [CODE_SERVER_ENTRY, '--extensions-dir', path.join(tmp, 'extensions'), '--user-data-dir', path.join(tmp, 'user-data'), '--install-extension', vsix], { encoding: 'utf8' });
    if (installed.status !== 0) throw new Error(`installing the .vsix failed:\n${installed.stdout}\n${installed.stderr}`);
    say(`installed ${path.basename(vsix)}`);

    const workspace = path.join(tmp, 'ws');
    cpSync(path.join(ROOT, 'test/fixtures/gitops-repo'), workspace, { recursive: true });
    // A kubeconfig that would be read if the cluster side started: it must not start here.
    const kubeconfig = path.join(tmp, 'kubeconfig');
    writeFileSync(kubeconfig, 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n');
    const port = await freePort();
    const launched = launchCodeServer({ tmp, port, workspace, title: 'flux restricted mode', env: { KUBECONFIG: kubeconfig, EXTENSIONS_GALLERY: '{}' }, logFile: path.join(RESULTS, 'vscode-restricted.log'), trust: true });
    codeServer = launched.child;
    await launched.ready;
    page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`, { waitUntil: 'domcontentloaded' });
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
    const current = page;

    const check = async (name: string, body: () => Promise<void>) => {
      try {
        await body();
        results.push({ name });
        say(`ok   ${name}`);
      } catch (error) {
        results.push({ name, error: error instanceof Error ? error.message : String(error) });
        say(`FAIL ${name}: ${error instanceof Error ? error.message : String(error)}`);
        await current.screenshot({ path: path.join(RESULTS, `vscode-restricted-${results.length}.png`) }).catch(() => undefined);
      }
    };

    await check('the workspace opens in Restricted Mode', async () => {
      await poll('the Restricted Mode indicator', async () => ((await current.getByText('Restricted Mode').count()) > 0 ? true : undefined));
    });

    await check('diagnostics appear in a manifest: the language features work without trust', async () => {
      // Opened from the explorer, as a user would: infrastructure → sources → the file.
      // (VS Code shows `infrastructure/sources` as one row when the folder has a single child.)
      const row = (name: string) => current.locator('.explorer-folders-view .monaco-list-row').filter({ hasText: name }).first();
      await poll('infrastructure in the explorer', async () => ((await row('infrastructure').count()) > 0 ? true : undefined));
      await row('infrastructure').click();
      await poll('the sources folder open', async () => ((await row('helm-repositories.yaml').count()) > 0 ? true : (await row('sources').click(), undefined)));
      await row('helm-repositories.yaml').click();
      await poll('the editor', async () => ((await current.locator('.monaco-editor .view-lines').count()) > 0 ? true : undefined));
      await current.locator('.statusbar-item[id*="status.problems"], .statusbar-item:has(.codicon-error)').first().click();
      await poll('the removed apiVersion in the Problems view', async () => ((await current.locator('.markers-panel').getByText(/was removed in Flux 2\.8/).count()) > 0 ? true : undefined), 90_000);
    });

    await check('the Flux view says it needs a trusted workspace, and reads no kubeconfig', async () => {
      await current.locator('.activitybar [aria-label^="Flux"]').first().click();
      await poll('the welcome text of the Flux view', async () => ((await current.getByText(/works in trusted workspaces only/).count()) > 0 ? true : undefined));
      if ((await current.getByText(/kubeconfig has no|No context|cannot reach|Connecting/i).count()) > 0) throw new Error('the cluster side started');
    });
    await current.screenshot({ path: path.join(RESULTS, 'vscode-restricted.png') });
  } catch (error) {
    results.push({ name: 'the packaged extension runs in Restricted Mode', error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    say(`FAIL ${results[results.length - 1]!.error}`);
    await page?.screenshot({ path: path.join(RESULTS, 'vscode-restricted-error.png') }).catch(() => undefined);
  } finally {
    await browser.close().catch(() => undefined);
    if (codeServer?.pid) {
      try {
        process.kill(-codeServer.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
    }
    rmSync(tmp, { recursive: true, force: true });
  }
  const failed = results.filter((r) => r.error).length;
  console.log(`${results.length - failed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    console.log('0 passed, 1 failed');
    process.exit(1);
  },
);
