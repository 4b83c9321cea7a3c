// Runs the extension in a real VS Code: code-server in headless Debian Chromium, driven by
// playwright-core. The suite (test/vscode/suite/index.ts) runs inside the real extension host,
// loaded through the workbench's `extensionDevelopmentPath`/`extensionTestsPath` payload.
//
//   bash scripts/vscode/install-code-server.sh      # once; cached
//   node --import tsx test/vscode/run.ts
//
// Env: CODE_SERVER_DIR (install folder; default as in the install script), CHROMIUM (default
// /usr/bin/chromium), VSCODE_TEST_TIMEOUT_MS (whole run, default 300000), VSCODE_TEST_NO_BUILD=1
// (skip `node scripts/build.mjs`), VSCODE_TEST_KEEP=1 (keep the temp folder), VSCODE_TEST_WORKBENCH_ONLY=1
// (only open the workspace and take the workbench screenshot), VSCODE_TEST_NO_CLUSTER=1 (no demo cluster),
// VSCODE_TEST_NO_CHARTS=1 (no local chart sources; chart downloads are then turned off in the workspace).
// The demo cluster (test/vscode/suiteClusters.ts) is the real one (test/realCluster/demo.ts:
// kube-apiserver, etcd and the Flux controllers, installing from the chart sources below) when
// `npm run cluster:build` has built it, else the simulator (test/cluster/demoData.ts) in this
// process; VSCODE_TEST_SIMULATOR=1 picks the simulator. code-server gets KUBECONFIG pointing at
// it, and the suite reads objects and plays scenarios through the control server (/cluster/*).
// The chart sources the workspace names (test/vscode/chartSources.ts: an HTTP Helm repository and
// two docker-registry instances, one with htpasswd auth) run on 127.0.0.1 too; the workspace copy
// points at them, and the run fails before code-server starts if any chart URL is still off-machine.
// code-server gets no registry credentials: the suite enters them through the extension's command.
// Artifacts: test-results/vscode-*.png (incl. flux-view, codelens, codelens-failed), test-results/vscode-activation.json
// (require/activate timings measured in the extension host), test-results/vscode-results.json, test-results/vscode-code-server.log.
import { spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { HarnessConfig, LogRequest, ScenarioRequest, ScreenshotRequest, SuiteResult } from './protocol';
import { realClusterBuilt, startSuiteCluster, type SuiteCluster } from './suiteClusters';
import { CODE_SERVER_DIR, CODE_SERVER_ENTRY as ENTRY, CODE_SERVER_VERSION as VERSION, launchCodeServer, writeUserSettings } from '../../scripts/vscode/codeServer.mjs';
import { offMachineChartUrls, startChartSources, type ChartSources } from './chartSources';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const RESULTS = path.join(ROOT, 'test-results');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const TOTAL_TIMEOUT_MS = Number(process.env.VSCODE_TEST_TIMEOUT_MS ?? 300_000);
const WORKBENCH_ONLY = process.env.VSCODE_TEST_WORKBENCH_ONLY === '1';

const t0 = Date.now();
const elapsed = (): string => `${((Date.now() - t0) / 1000).toFixed(1)}s`;
const say = (line: string): void => console.log(`[vscode ${elapsed()}] ${line}`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (text += c));
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}

interface ControlServer {
  url: string;
  result: Promise<SuiteResult>;
  close(): void;
}

/** The loopback HTTP server the suite calls for screenshots, log lines and its result. */
async function startControlServer(getPage: () => Page | undefined, cluster: SuiteCluster | undefined): Promise<ControlServer> {
  let resolveResult: (r: SuiteResult) => void = () => undefined;
  const result = new Promise<SuiteResult>((r) => (resolveResult = r));
  const server = http.createServer((req, res) => {
    void (async () => {
      try {
        const body = await readBody(req);
        if (req.method === 'POST' && req.url === '/log') {
          say(`suite: ${(JSON.parse(body) as LogRequest).line}`);
        } else if (req.method === 'POST' && req.url === '/screenshot') {
          const { name } = JSON.parse(body) as ScreenshotRequest;
          const page = getPage();
          if (!page) {
            // Under @vscode/test-electron there is no browser page to capture.
            say(`screenshot ${name} skipped: no browser page (Electron mode)`);
            res.end('{}');
            return;
          }
          const file = path.join(RESULTS, `vscode-${name.replace(/[^\w.-]+/g, '_')}.png`);
          await page.screenshot({ path: file });
          say(`screenshot ${path.relative(ROOT, file)}`);
        } else if (req.method === 'POST' && req.url === '/figures') {
          writeFileSync(path.join(RESULTS, 'vscode-figures.json'), JSON.stringify(JSON.parse(body), null, 2));
          say('cluster figures: test-results/vscode-figures.json');
        } else if (req.method === 'POST' && req.url === '/activation') {
          // The activation figures the suite measured inside the extension host.
          writeFileSync(path.join(RESULTS, 'vscode-activation.json'), JSON.stringify(JSON.parse(body), null, 2));
          say('activation figures: test-results/vscode-activation.json');
        } else if (req.method === 'POST' && req.url === '/result') {
          resolveResult(JSON.parse(body) as SuiteResult);
        } else if (req.url?.startsWith('/cluster/') && cluster) {
          const url = new URL(req.url, 'http://control');
          let answer: unknown;
          if (req.method === 'GET' && url.pathname === '/cluster/requests') {
            answer = { requests: cluster.requests() ?? null };
          } else if (req.method === 'GET' && url.pathname === '/cluster/object') {
            answer = await cluster.object(url.searchParams.get('resource') ?? 'helmreleases', url.searchParams.get('namespace') ?? '', url.searchParams.get('name') ?? '');
            if (!answer) {
              res.writeHead(404).end('no such object');
              return;
            }
          } else if (req.method === 'POST' && url.pathname === '/cluster/bulk') {
            // Many suspended releases (the controllers leave them alone) in namespace `bulk`.
            const { count } = JSON.parse(body) as { count: number };
            await cluster.bulk(count);
            answer = { count };
          } else if (req.method === 'POST' && url.pathname === '/cluster/status') {
            const { namespace, name, chartVersion } = JSON.parse(body) as { namespace: string; name: string; chartVersion: string };
            await cluster.setHistory(namespace, name, chartVersion);
            answer = {};
          } else if (req.method === 'POST' && url.pathname === '/cluster/scenario') {
            const r = JSON.parse(body) as ScenarioRequest;
            answer = await cluster.scenario(r);
            say(`cluster: ${r.scenario} ${r.namespace}/${r.name}`);
          } else {
            res.writeHead(404).end('not found');
            return;
          }
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
          return;
        } else {
          res.writeHead(404).end('not found');
          return;
        }
        res.writeHead(200).end('ok');
      } catch (err) {
        res.writeHead(500).end(String(err));
      }
    })();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return { url: `http://127.0.0.1:${port}`, result, close: () => server.close() };
}

async function buildSuite(outFile: string, config: HarnessConfig): Promise<void> {
  await build({
    entryPoints: [path.join(ROOT, 'test', 'vscode', 'suite', 'index.ts')],
    outfile: outFile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['vscode'],
    sourcemap: 'inline',
    logLevel: 'warning',
    define: { __HARNESS_CONFIG__: JSON.stringify(config) },
  });
}

/**
 * `npm run test:electron`: the same suite in desktop VS Code downloaded by @vscode/test-electron
 * (where a download is possible); results come back through the same loopback control server.
 */
async function runInElectron(tmp: string, workspace: string, suiteFile: string, kubeconfig: string | undefined): Promise<void> {
  const { runTests } = await import('@vscode/test-electron');
  const userData = path.join(tmp, 'electron-user-data');
  writeUserSettings(userData, TITLE);
  await runTests({
    extensionDevelopmentPath: ROOT,
    extensionTestsPath: suiteFile,
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', `--user-data-dir=${userData}`],
    extensionTestsEnv: { ...noRegistryCredentials(tmp), ...(kubeconfig ? { KUBECONFIG: kubeconfig } : {}) },
  });
}

async function startCodeServer(port: number, tmp: string, workspace: string, logFile: string, kubeconfig: string | undefined): Promise<ChildProcess> {
  const env: Record<string, string> = {
    // The extension finds the demo cluster through KUBECONFIG (never the developer's ~/.kube/config).
    KUBECONFIG: kubeconfig ?? path.join(tmp, 'no-kubeconfig'),
    ...noRegistryCredentials(tmp),
    // No extension gallery: code-server would otherwise query open-vsx.org during the run.
    EXTENSIONS_GALLERY: '{}',
  };
  const { child, ready } = launchCodeServer({ tmp, port, workspace, title: TITLE, env, logFile });
  await ready;
  return child;
}

function stopProcessGroup(child: ChildProcess | undefined): void {
  if (!child?.pid || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    /* already gone */
  }
}

const ELECTRON = process.env.VSCODE_TEST_ELECTRON === '1';
const TITLE = 'flux-helmrelease vscode test';

/**
 * Helm's and Docker's config files pointed at files that do not exist: the developer's own
 * credentials never reach the server, so the private registry answers 401 until the suite enters
 * its credentials.
 */
function noRegistryCredentials(tmp: string): Record<string, string> {
  return {
    HELM_REGISTRY_CONFIG: path.join(tmp, 'no-helm-registry-config.json'),
    HELM_REPOSITORY_CONFIG: path.join(tmp, 'no-helm-repositories.yaml'),
    DOCKER_CONFIG: path.join(tmp, 'no-docker-config'),
  };
}

/** Starts the chart sources for the workspace copy; refuses a workspace that names a public chart URL. */
async function startCharts(workspace: string): Promise<ChartSources> {
  const sources = await startChartSources(workspace);
  const offMachine = offMachineChartUrls(workspace);
  if (offMachine.length > 0) {
    await sources.stop();
    throw new Error(`the test workspace still names chart sources off this machine (tests never reach the network):\n  ${offMachine.join('\n  ')}`);
  }
  return sources;
}

/**
 * The chart sources of a run: started and checked, or, with VSCODE_TEST_NO_CHARTS=1, downloads
 * turned off in the workspace settings, since the fixture's own URLs are public.
 */
async function prepareCharts(workspace: string): Promise<ChartSources | undefined> {
  if (WORKBENCH_ONLY) return undefined; // the extension is not loaded
  if (process.env.VSCODE_TEST_NO_CHARTS !== '1') return startCharts(workspace);
  mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
  writeFileSync(path.join(workspace, '.vscode', 'settings.json'), JSON.stringify({ 'helmRelease.charts.download': false }, null, 2));
  return undefined;
}

/** Ends the Electron branch of `main` without launching code-server. */
class ElectronDone extends Error {}

async function main(): Promise<number> {
  if (!ELECTRON && !existsSync(ENTRY)) {
    say(`code-server not found at ${CODE_SERVER_DIR}; installing`);
    const r = spawnSync('bash', [path.join(ROOT, 'scripts', 'vscode', 'install-code-server.sh')], { stdio: ['ignore', 'inherit', 'inherit'] });
    if (r.status !== 0) throw new Error('scripts/vscode/install-code-server.sh failed');
  }
  if (process.env.VSCODE_TEST_NO_BUILD !== '1') {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('npm run build failed');
    say('extension built');
  }
  mkdirSync(RESULTS, { recursive: true });
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'flux-vscode-'));
  const workspace = path.join(tmp, 'ws');
  cpSync(path.join(ROOT, 'test', 'fixtures', 'gitops-repo'), workspace, { recursive: true });

  let page: Page | undefined;
  let browser: Browser | undefined;
  let codeServer: ChildProcess | undefined;
  let cluster: SuiteCluster | undefined;
  let charts: ChartSources | undefined;
  const kubeconfig = path.join(tmp, 'kubeconfig');
  try {
    charts = await prepareCharts(workspace);
    if (process.env.VSCODE_TEST_NO_CLUSTER !== '1' && !WORKBENCH_ONLY) {
      const real = realClusterBuilt() && process.env.VSCODE_TEST_SIMULATOR !== '1';
      if (!real) say('the real cluster is not built (npm run cluster:build): the cluster tests run against the simulator');
      cluster = await startSuiteCluster({ kubeconfig, charts: charts?.config, real });
      say(`demo cluster: ${cluster.label}`);
    }
  } catch (error) {
    await charts?.stop().catch(() => undefined);
    rmSync(tmp, { recursive: true, force: true });
    throw error;
  }
  if (charts) say(`chart sources: ${charts.config.httpRepository}, ${charts.config.ociHelmRepository} (htpasswd), ${charts.config.ociRepository}`);
  const control = await startControlServer(() => page, cluster);
  const resultFile = path.join(tmp, 'result.json');
  const logFile = path.join(RESULTS, 'vscode-code-server.log');
  let result: SuiteResult | undefined;
  let failure: string | undefined;
  try {
    const suiteFile = path.join(tmp, 'suite', 'index.js');
    await buildSuite(suiteFile, { controlUrl: control.url, resultFile, workspace, cluster: cluster ? { kubeconfig, kind: cluster.kind } : undefined, charts: charts?.config });

    if (ELECTRON) {
      say('running the suite in desktop VS Code (@vscode/test-electron)');
      await runInElectron(tmp, workspace, suiteFile, cluster ? kubeconfig : undefined).catch((error: unknown) => {
        throw new Error(`desktop VS Code could not be run (a download is needed the first time): ${error instanceof Error ? error.message : String(error)}`);
      });
      result = await Promise.race([control.result, sleep(5_000).then(() => undefined)]);
      if (!result && existsSync(resultFile)) result = JSON.parse(readFileSync(resultFile, 'utf8')) as SuiteResult;
      if (!result) failure = 'the suite sent no result';
      throw new ElectronDone();
    }
    const port = await freePort();
    codeServer = await startCodeServer(port, tmp, workspace, logFile, cluster ? kubeconfig : undefined);
    say(`code-server ${VERSION} listening on 127.0.0.1:${port}`);

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
    page = await context.newPage();
    page.on('pageerror', (err) => say(`page error: ${err.message}`));

    const remote = (p: string): string => `vscode-remote://127.0.0.1:${port}${p}`;
    const payload = WORKBENCH_ONLY
      ? undefined
      : [
          ['extensionDevelopmentPath', remote(ROOT)],
          ['extensionTestsPath', remote(suiteFile)],
        ];
    const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}${payload ? `&payload=${encodeURIComponent(JSON.stringify(payload))}` : ''}`;
    await page.goto(url, { waitUntil: 'domcontentloaded' });
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
    // The explorer shows the workspace's top folders once the workbench has restored.
    await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ state: 'visible', timeout: 60_000 }).catch(() => undefined);
    await sleep(1000);
    await page.screenshot({ path: path.join(RESULTS, 'vscode-workbench.png') });
    say('workbench open: test-results/vscode-workbench.png');
    if (WORKBENCH_ONLY) {
      // Only the screenshot: the suite itself did not run, which is said and counted, not passed over.
      result = {
        passed: 1,
        failed: 1,
        tests: [
          { name: 'workbench opens the workspace', ok: true, ms: Date.now() - t0 },
          { name: 'the suite (test/vscode/suite)', ok: false, ms: 0, error: 'not run: VSCODE_TEST_WORKBENCH_ONLY=1 opens the workbench only' },
        ],
      };
    } else {
      const remaining = Math.max(10_000, TOTAL_TIMEOUT_MS - (Date.now() - t0));
      result = await Promise.race([
        control.result,
        (async (): Promise<SuiteResult | undefined> => {
          // Fall back to the result file in case the HTTP post was lost.
          const deadline = Date.now() + remaining;
          while (Date.now() < deadline) {
            await sleep(500);
            if (existsSync(resultFile)) {
              await sleep(500);
              return JSON.parse(readFileSync(resultFile, 'utf8')) as SuiteResult;
            }
          }
          return undefined;
        })(),
      ]);
      if (!result) {
        failure = `the suite sent no result within ${remaining} ms (see test-results/vscode-code-server.log and vscode-timeout.png)`;
        await page.screenshot({ path: path.join(RESULTS, 'vscode-timeout.png') }).catch(() => undefined);
      }
    }
  } catch (err) {
    if (!(err instanceof ElectronDone)) failure = err instanceof Error ? (err.stack ?? err.message) : String(err);
    await page?.screenshot({ path: path.join(RESULTS, 'vscode-error.png') }).catch(() => undefined);
  } finally {
    await browser?.close().catch(() => undefined);
    stopProcessGroup(codeServer);
    control.close();
    await cluster?.stop().catch(() => undefined);
    await charts?.stop().catch(() => undefined);
    if (process.env.VSCODE_TEST_KEEP === '1') say(`kept ${tmp}`);
    else rmSync(tmp, { recursive: true, force: true });
  }

  const tests = result?.tests ?? [];
  for (const t of tests) {
    console.log(`${t.ok ? 'ok  ' : 'FAIL'} ${t.name} (${t.ms} ms)`);
    if (t.error) console.log(t.error.replace(/^/gm, '     '));
  }
  if (failure) console.log(`harness error: ${failure}`);
  const passed = result?.passed ?? 0;
  const failed = (result?.failed ?? 0) + (failure ? 1 : 0);
  writeFileSync(path.join(RESULTS, 'vscode-results.json'), JSON.stringify({ passed, failed, tests, failure, seconds: (Date.now() - t0) / 1000 }, null, 2));
  say(`done in ${elapsed()}`);
  console.log(`vscode: ${passed} passed, ${failed} failed`);
  return failed === 0 && passed > 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    console.log('vscode: 0 passed, 1 failed');
    process.exit(1);
  },
);
