// `npm start`: the extension in a real VS Code against a demo cluster, in your browser.
//
//   1. builds the extension (skip with --no-build),
//   2. installs code-server once (scripts/vscode/install-code-server.sh, cached),
//   3. copies test/fixtures/gitops-repo to a temp sample workspace and starts the chart sources it
//      names on 127.0.0.1 (test/vscode/chartSources.ts: an HTTP Helm repository, a private and a
//      public OCI registry, a chart in the repository), pointing the copy at them, so that values
//      completion, hover and checks from real charts work without the network; the private
//      registry's credentials go into a Helm registry config file (HELM_REGISTRY_CONFIG),
//   4. starts the demo cluster with the tutorial's podinfo, postgres and grade-api releases (grade-api
//      fails) and writes its kubeconfig to a temp folder: the real cluster (test/realCluster/demo.ts:
//      etcd, kube-apiserver and the Flux controllers built by `npm run cluster:build`, installing
//      from the chart sources of step 3) when it is built, else the simulator in this process
//      (test/cluster: the Kubernetes API test server and the Flux simulator),
//   5. starts code-server with KUBECONFIG=<demo kubeconfig>, the extension loaded from this checkout
//      (payload `extensionDevelopmentPath`), and prints the URL to open.
// Runs until Ctrl+C (or SIGTERM), then stops code-server, the chart sources and the cluster and
// removes the temp folder.
//
// Options: --port N (default 8080, or a free port when 8080 is taken), --no-build, --simulator (the
// simulated cluster even when the real one is built), --keep (keep the temp folder), --workspace DIR (open DIR instead of a copy of the fixture; no chart sources are
// started then, and DIR's own chart repositories are used).
// Env: CODE_SERVER_DIR, CODE_SERVER_VERSION as for the install script.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { COMPONENTS, programPath } from './cluster/build.mjs';
import { CODE_SERVER_DIR, CODE_SERVER_ENTRY as ENTRY, CODE_SERVER_VERSION as VERSION, launchCodeServer } from './vscode/codeServer.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const option = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};

const t0 = Date.now();
const say = (line) => console.log(`[start ${((Date.now() - t0) / 1000).toFixed(1)}s] ${line}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function portFree(port) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function choosePort() {
  const wanted = option('--port');
  if (wanted) return Number(wanted);
  return (await portFree(8080)) ? 8080 : freePort();
}

// ---- 1, 2: build and code-server ----
if (!flag('--no-build')) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
  say('extension built');
}
if (!existsSync(ENTRY) || !existsSync(path.join(CODE_SERVER_DIR, '.flux-helmrelease-installed'))) {
  say(`installing code-server ${VERSION} into ${CODE_SERVER_DIR} (once)`);
}
{
  const r = spawnSync('bash', [path.join(ROOT, 'scripts', 'vscode', 'install-code-server.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) {
    console.error('code-server could not be installed (see above)');
    process.exit(1);
  }
}

// ---- 3: the sample workspace and its chart sources ----
const tmp = mkdtempSync(path.join(os.tmpdir(), 'flux-demo-'));
const kubeconfig = path.join(tmp, 'kubeconfig');
const { tsImport } = await import('tsx/esm/api');
const load = (file) => tsImport(pathToFileURL(path.join(ROOT, ...file.split('/'))).href, import.meta.url);
let workspace = option('--workspace');
let charts;
const registryConfig = path.join(tmp, 'helm-registry-config.json');
if (workspace) workspace = path.resolve(workspace);
else {
  workspace = path.join(tmp, 'gitops-repo');
  cpSync(path.join(ROOT, 'test', 'fixtures', 'gitops-repo'), workspace, { recursive: true });
  const { helmRegistryConfig, offMachineChartUrls, startChartSources } = await load('test/vscode/chartSources.ts');
  try {
    charts = await startChartSources(workspace);
  } catch (err) {
    console.error(`The chart sources could not be started (they need the Debian packages docker-registry and apache2-utils): ${err instanceof Error ? err.message : String(err)}`);
    rmSync(tmp, { recursive: true, force: true });
    process.exit(1);
  }
  for (const source of offMachineChartUrls(workspace)) say(`warning: the sample workspace still names a public chart source: ${source}`);
  // What `helm registry login` writes: the demo's private registry works without asking.
  writeFileSync(registryConfig, helmRegistryConfig(charts.config), { mode: 0o600 });
  say(`chart sources: ${charts.config.httpRepository}, ${charts.config.ociHelmRepository} (private), ${charts.config.ociRepository}`);
}

// ---- 4: the demo cluster: the real one when its programs are built, else the simulator ----
const realBuilt = COMPONENTS.every((component) => existsSync(programPath(component)));
let demo;
let clusterLabel;
try {
  if (realBuilt && !flag('--simulator')) {
    say('starting the real cluster (etcd, kube-apiserver, source-, kustomize- and helm-controller) with the tutorial applied from Git');
    const { startRealDemo } = await load('test/realCluster/demo.ts');
    demo = await startRealDemo({ kubeconfig, charts: charts?.config });
    await demo.settled();
    clusterLabel = `real cluster ${demo.cluster.server}`;
  } else {
    if (!realBuilt) say('the real cluster is not built: the demo runs on the simulator (`npm run cluster:build` builds the real one from Go modules, about 8 minutes once)');
    const { startDemoCluster } = await load('test/cluster/demoData.ts');
    demo = await startDemoCluster({ kubeconfig });
    clusterLabel = `simulated cluster ${demo.api.url}`;
  }
} catch (err) {
  console.error(`The demo cluster could not be started: ${err instanceof Error ? err.message : String(err)}`);
  await charts?.stop().catch(() => undefined);
  rmSync(tmp, { recursive: true, force: true });
  process.exit(1);
}
say(`${clusterLabel}; kubeconfig ${kubeconfig}`);

// ---- 5: code-server ----
const port = await choosePort();
const logFile = path.join(tmp, 'code-server.log');
const { child, ready } = launchCodeServer({
  tmp,
  port,
  workspace,
  title: 'Flux HelmRelease demo',
  env: { KUBECONFIG: kubeconfig, ...(charts ? { HELM_REGISTRY_CONFIG: registryConfig } : {}) },
  logFile,
});

let stopping = false;
async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  say('stopping');
  if (child.pid && child.exitCode === null) {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      /* gone */
    }
    const deadline = Date.now() + 5000;
    while (child.exitCode === null && child.signalCode === null && Date.now() < deadline) await sleep(100);
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }
  await charts?.stop().catch(() => undefined);
  await demo.stop().catch(() => undefined);
  if (flag('--keep')) say(`kept ${tmp}`);
  else rmSync(tmp, { recursive: true, force: true });
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
process.on('SIGHUP', () => void shutdown(0));

try {
  await ready;
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  await shutdown(1);
}
child.on('exit', (code) => {
  if (!stopping) {
    console.error(`code-server exited (${code}); see ${logFile}`);
    void shutdown(1);
  }
});

const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
const payload = [['extensionDevelopmentPath', remote(ROOT)]];
const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
// A machine-readable line for scripts (and the screenshot check), then the human one.
console.log(`FLUX_DEMO_URL=${url}`);
console.log('');
console.log(`  Flux HelmRelease demo is running (code-server ${VERSION}, ${clusterLabel}).`);
console.log(`  Open: ${url}`);
console.log(`  Workspace: ${workspace}`);
console.log(`  kubectl:   KUBECONFIG=${kubeconfig} kubectl get ks,hr -A`);
if (charts) {
  console.log(`  Charts:    ${charts.config.httpRepository} (HTTP), ${charts.config.ociHelmRepository} (OCI, private: ${charts.config.credentials.username}),`);
  console.log(`             ${charts.config.ociRepository} (OCIRepository), ./${charts.config.localChart} (in the repository)`);
}
console.log(`  Log:       ${logFile}`);
console.log(`  Ctrl+C stops code-server${charts ? ', the chart sources' : ''} and the cluster.`);
console.log('');
