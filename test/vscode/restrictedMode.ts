/**
 * The packaged extension in Restricted Mode, in a real VS Code (code-server in Chromium): the
 * `.vsix` that `npm run package` builds is installed (not the development folder), workspace trust
 * is on and the workspace is not trusted. Diagnostics must still appear; no chart is downloaded, no
 * Docker credential helper runs, and the Flux view says it needs trust instead of reading the
 * kubeconfig. Then the user trusts the workspace (through the Flux view's link, as a user would):
 * the chart is downloaded with the helper's credentials, and the Flux view and the status bar show
 * the cluster. Prints "N passed, N failed" for npm test.
 *
 *   node --import tsx test/vscode/restrictedMode.ts
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { CODE_SERVER_ENTRY, launchCodeServer } from '../../scripts/vscode/codeServer.mjs';
import { startTrustFixtures, TRUST_MANIFEST, type TrustFixtures } from './trustFixtures';

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
  let fixtures: TrustFixtures | undefined;
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
    // A cluster, a private registry and a credential helper, each counting what reaches it.
    const local = await startTrustFixtures(tmp, workspace);
    fixtures = local;
    const port = await freePort();
    const launched = launchCodeServer({ tmp, port, workspace, title: 'flux restricted mode', env: { ...local.env, EXTENSIONS_GALLERY: '{}' }, logFile: path.join(RESULTS, 'vscode-restricted.log'), trust: true });
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
      // Clicked only while collapsed: a click on every poll would close it again before it renders.
      await poll('the sources folder open', async () => {
        if ((await row('helm-repositories.yaml').count()) > 0) return true;
        if ((await row('sources').getAttribute('aria-expanded')) !== 'true') await row('sources').click();
        return undefined;
      });
      await row('helm-repositories.yaml').click();
      await poll('the editor', async () => ((await current.locator('.monaco-editor .view-lines').count()) > 0 ? true : undefined));
      await current.locator('.statusbar-item[id*="status.problems"], .statusbar-item:has(.codicon-error)').first().click();
      await poll('the removed apiVersion in the Problems view', async () => ((await current.locator('.markers-panel').getByText(/was removed in Flux 2\.8/).count()) > 0 ? true : undefined), 90_000);
    });

    const explorerRow = (name: string) => current.locator('.explorer-folders-view .monaco-list-row').filter({ hasText: name }).first();
    const lens = (text: RegExp) => current.locator('.codelens-decoration').filter({ hasText: text });
    const fluxStatus = current.locator('.statusbar-item').filter({ hasText: /Flux: / });

    await check('a chart from a private registry is not downloaded, and no credential helper runs', async () => {
      await explorerRow(TRUST_MANIFEST).click();
      // The chart lens says why: the decision is taken by the time it shows.
      await poll('the chart lens of the HelmRelease', async () => ((await lens(/the workspace is not trusted/).count()) > 0 ? true : undefined), 90_000);
      if (local.registryRequests().length > 0) throw new Error(`the registry was asked: ${local.registryRequests().join(', ')}`);
      if (local.helperRuns().length > 0) throw new Error(`the credential helper ran for ${local.helperRuns().join(', ')}`);
    });

    await check('the Flux view says it needs a trusted workspace, and the cluster is not asked', async () => {
      await current.locator('.activitybar [aria-label^="Flux"]').first().click();
      await poll('the welcome text of the Flux view', async () => ((await current.getByText(/works in trusted workspaces only/).count()) > 0 ? true : undefined));
      if ((await fluxStatus.count()) > 0) throw new Error(`a cluster status in the status bar: ${await fluxStatus.first().innerText()}`);
      if (local.clusterRequests() > 0) throw new Error(`the cluster got ${local.clusterRequests()} requests`);
    });
    await current.screenshot({ path: path.join(RESULTS, 'vscode-restricted.png') });

    await check('the user trusts the workspace from the Flux view', async () => {
      await current.getByRole('button', { name: 'Manage Workspace Trust' }).first().click();
      await poll('the trust editor', async () => ((await current.locator('.workspace-trust-editor').count()) > 0 ? true : undefined));
      await current.locator('.workspace-trust-editor .monaco-button').filter({ hasText: /^Trust/ }).first().click();
      await poll('Restricted Mode ended', async () => ((await current.locator('.statusbar-item').filter({ hasText: 'Restricted Mode' }).count()) === 0 ? true : undefined));
    });

    await check('once trusted: the chart is downloaded, with the credentials the helper gives', async () => {
      await current.locator('.tabs-container .tab').filter({ hasText: TRUST_MANIFEST }).first().click();
      await poll('the chart lens naming the downloaded chart', async () => ((await lens(/Chart demo 1\.0\.0/).count()) > 0 ? true : undefined), 90_000).catch((error: Error) => {
        throw new Error(`${error.message} (credential helper runs: ${local.helperRuns().join(', ') || 'none'}; registry requests: ${local.registryRequests().join(', ') || 'none'})`);
      });
      const host = /oci:\/\/([^/]+)/.exec(readFileSync(path.join(workspace, TRUST_MANIFEST), 'utf8'))?.[1];
      if (!local.helperRuns().includes(host ?? '')) throw new Error(`the credential helper was not asked about ${host}: ${local.helperRuns().join(', ')}`);
      if (!local.registryRequests().some((r) => /^GET \/v2\/example\/demo\/blobs\//.test(r))) throw new Error(`no chart blob fetched: ${local.registryRequests().join(', ')}`);
    });

    await check('once trusted: the Flux view lists the cluster\'s HelmReleases and the status bar names the context', async () => {
      const view = current.locator('.pane').filter({ has: current.locator('.pane-header', { hasText: /helmreleases/i }) });
      // The Flux view is still the side bar's, unless it was closed: a click on its icon would close it.
      if (!(await view.first().isVisible())) await current.locator('.activitybar [aria-label^="Flux"]').first().click();
      await poll('a namespace of the cluster in the HelmReleases view', async () => ((await view.locator('.monaco-list-row').filter({ hasText: 'grade-api' }).count()) > 0 ? true : undefined), 90_000);
      await poll('the context in the status bar', async () => ((await fluxStatus.filter({ hasText: 'flux-test' }).count()) > 0 ? true : undefined));
      if (local.clusterRequests() === 0) throw new Error('the cluster got no request');
    });
    await current.screenshot({ path: path.join(RESULTS, 'vscode-restricted-trusted.png') });
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
    await fixtures?.stop();
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
