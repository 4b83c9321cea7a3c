// A real local cluster: etcd and kube-apiserver built from their Go modules (scripts/cluster/build.mjs),
// on loopback, with RBAC, client-certificate and token authentication, and the Flux CRDs made from
// our schemas; the Flux controllers too, when they are built. From the command line it also starts
// the demo (test/realCluster/demo.ts: chart sources, a Git server, the tutorial's objects applied by
// the real controllers), prints `ready <kubeconfig>` once its HelmReleases are reconciled, and stops
// everything on SIGTERM or SIGINT.
//
//   npm run cluster -- [--kubeconfig FILE] [--empty: no demo] [--verbose: the programs' logs]
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { COMPONENTS, programPath } from './build.mjs';
import { fluxCrds } from './crds.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const program = (name) => programPath(COMPONENTS.find((c) => c.name === name));

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function openssl(args, cwd) {
  const result = spawnSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  if (result.error?.code === 'ENOENT') throw new Error('openssl is missing: install the Debian package openssl');
  if (result.status !== 0) throw new Error(`openssl ${args[0]} failed: ${result.stderr}`);
}

/** A throw-away CA, the API server's certificate for 127.0.0.1, an admin client certificate and the service-account key. */
function certificates(dir) {
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '7', '-subj', '/CN=flux-helmrelease-test-ca'], dir);
  writeFileSync(path.join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=kube-apiserver'], dir);
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '7', '-extfile', 'server.ext'], dir);
  writeFileSync(path.join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'admin.key', '-out', 'admin.csr', '-subj', '/O=system:masters/CN=admin'], dir);
  openssl(['x509', '-req', '-in', 'admin.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'admin.crt', '-days', '7', '-extfile', 'client.ext'], dir);
  openssl(['genrsa', '-out', 'sa.key', '2048'], dir);
  openssl(['rsa', '-in', 'sa.key', '-pubout', '-out', 'sa.pub'], dir);
}

function request(base, tls, method, urlPath, body) {
  return new Promise((resolve, reject) => {
    const req = https.request(new URL(urlPath, base), { method, ...tls, headers: body ? { 'content-type': 'application/json' } : {} }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

async function until(what, probe, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await probe()) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`${what}: not ready after ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Starts the cluster; resolves with its kubeconfig and a stop function. */
export async function startRealCluster({ kubeconfig, log = () => undefined } = {}) {
  for (const name of ['etcd', 'kube-apiserver']) {
    if (!existsSync(program(name))) throw new Error(`${name} is not built: run \`node scripts/cluster/build.mjs\` (needs Go; see the README)`);
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'flux-cluster-'));
  const children = [];
  const stopOne = (child) =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const timer = setTimeout(() => (child.kill('SIGKILL'), resolve()), 5_000);
      child.once('exit', () => (clearTimeout(timer), resolve()));
      child.kill('SIGTERM');
    });
  /** The controllers together, then kube-apiserver, then etcd. */
  const stop = async () => {
    const [etcd, apiserver, ...controllers] = children;
    await Promise.all(controllers.map(stopOne));
    if (apiserver) await stopOne(apiserver);
    if (etcd) await stopOne(etcd);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    certificates(dir);
    // Two bearer tokens: one with every right, one with none (RBAC answers 403 to it).
    const token = randomBytes(24).toString('hex');
    const noRightsToken = randomBytes(24).toString('hex');
    writeFileSync(path.join(dir, 'tokens.csv'), `${token},flux-user,flux-user,system:masters\n${noRightsToken},no-rights,no-rights\n`);
    const [etcdClient, etcdPeer, apiPort] = [await freePort(), await freePort(), await freePort()];
    const output = (name) => (chunk) => log(`[${name}] ${chunk.toString().trimEnd()}`);
    const run = (name, args, env = {}) => {
      const child = spawn(program(name), args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.on('data', output(name));
      child.stderr.on('data', output(name));
      children.push(child);
      return child;
    };
    run('etcd', [
      `--data-dir=${path.join(dir, 'etcd')}`,
      `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
      `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
      '--unsafe-no-fsync=true',
      '--log-level=warn',
    ]);
    await until('etcd', async () => (await fetch(`http://127.0.0.1:${etcdClient}/health`)).ok);
    const apiserverArgs = [
      `--etcd-servers=http://127.0.0.1:${etcdClient}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      `--tls-cert-file=${path.join(dir, 'server.crt')}`,
      `--tls-private-key-file=${path.join(dir, 'server.key')}`,
      `--client-ca-file=${path.join(dir, 'ca.crt')}`,
      `--token-auth-file=${path.join(dir, 'tokens.csv')}`,
      '--authorization-mode=RBAC',
      `--service-account-issuer=https://127.0.0.1:${apiPort}`,
      `--service-account-key-file=${path.join(dir, 'sa.pub')}`,
      `--service-account-signing-key-file=${path.join(dir, 'sa.key')}`,
      '--service-cluster-ip-range=10.0.0.0/24',
      '--disable-admission-plugins=ServiceAccount',
      '--allow-privileged=true',
      `--cert-dir=${path.join(dir, 'certs')}`,
    ];
    run('kube-apiserver', apiserverArgs);
    const base = `https://127.0.0.1:${apiPort}`;
    const tls = { ca: readFileSync(path.join(dir, 'ca.crt')), cert: readFileSync(path.join(dir, 'admin.crt')), key: readFileSync(path.join(dir, 'admin.key')) };
    await until('kube-apiserver', async () => (await request(base, tls, 'GET', '/readyz')).status === 200, 120_000);
    for (const crd of fluxCrds()) {
      const created = await request(base, tls, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
      if (created.status >= 300) throw new Error(`the CRD ${crd.metadata.name} was refused (${created.status}): ${created.text.slice(0, 500)}`);
    }
    for (const crd of fluxCrds()) {
      const [version] = crd.spec.versions;
      await until(`CRD ${crd.metadata.name}`, async () => (await request(base, tls, 'GET', `/apis/${crd.spec.group}/${version.name}/${crd.spec.names.plural}`)).status === 200);
    }
    const b64 = (file) => readFileSync(path.join(dir, file)).toString('base64');
    const config = [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: flux-local',
      '  cluster:',
      `    server: ${base}`,
      `    certificate-authority-data: ${b64('ca.crt')}`,
      'users:',
      '- name: admin',
      '  user:',
      `    client-certificate-data: ${b64('admin.crt')}`,
      `    client-key-data: ${b64('admin.key')}`,
      '- name: token-user',
      '  user:',
      `    token: ${token}`,
      '- name: no-rights',
      '  user:',
      `    token: ${noRightsToken}`,
      'contexts:',
      '- name: flux-local',
      '  context: {cluster: flux-local, user: admin}',
      '- name: flux-local-token',
      '  context: {cluster: flux-local, user: token-user}',
      '- name: flux-local-no-rights',
      '  context: {cluster: flux-local, user: no-rights}',
      'current-context: flux-local',
      '',
    ].join('\n');
    const kubeconfigPath = kubeconfig ?? path.join(dir, 'kubeconfig');
    mkdirSync(path.dirname(kubeconfigPath), { recursive: true });
    writeFileSync(kubeconfigPath, config, { mode: 0o600 });
    // The Flux controllers, when built: each with its own ports, against this cluster.
    const controllers = [];
    let port = 0;
    for (const name of ['source-controller', 'kustomize-controller', 'helm-controller']) {
      if (!existsSync(program(name))) continue;
      const ports = [await freePort(), await freePort()];
      const args = [`--metrics-addr=127.0.0.1:${ports[0]}`, `--health-addr=127.0.0.1:${ports[1]}`, '--log-encoding=console'];
      // Flux retries an object whose dependency is not ready after 30 s; 5 s keeps the demo and tests brisk.
      if (name !== 'source-controller') args.push('--requeue-dependency=5s');
      if (name === 'source-controller') {
        port = await freePort();
        mkdirSync(path.join(dir, 'artifacts'));
        args.push(`--storage-path=${path.join(dir, 'artifacts')}`, `--storage-addr=127.0.0.1:${port}`, `--storage-adv-addr=127.0.0.1:${port}`);
      }
      run(name, args, { KUBECONFIG: kubeconfigPath, RUNTIME_NAMESPACE: 'flux-system' });
      controllers.push(name);
    }
    /** Stops kube-apiserver and starts it again on the same port (etcd and the controllers keep running). */
    const restartApiServer = async () => {
      await stopOne(children[1]);
      const child = run('kube-apiserver', apiserverArgs);
      children.pop();
      children[1] = child;
      await until('kube-apiserver (restarted)', async () => (await request(base, tls, 'GET', '/readyz')).status === 200, 120_000);
    };
    return { kubeconfig: kubeconfigPath, server: base, controllers, stop, restartApiServer };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function main() {
  const args = process.argv.slice(2);
  const at = args.indexOf('--kubeconfig');
  const kubeconfig = at >= 0 ? path.resolve(args[at + 1]) : undefined;
  const log = args.includes('--verbose') ? (line) => console.error(line) : undefined;
  try {
    let stop;
    if (args.includes('--empty')) {
      const cluster = await startRealCluster({ kubeconfig, log });
      console.log(`controllers: ${cluster.controllers.length > 0 ? cluster.controllers.join(', ') : 'none built (npm run cluster:build)'}`);
      console.log(`ready ${cluster.kubeconfig}`);
      stop = cluster.stop;
    } else {
      // The demo (test/realCluster/demo.ts, TypeScript through tsx): chart sources, a Git server and the tutorial's objects.
      const { tsImport } = await import('tsx/esm/api');
      const { startRealDemo } = await tsImport(pathToFileURL(path.join(ROOT, 'test', 'realCluster', 'demo.ts')).href, import.meta.url);
      console.log('starting etcd, kube-apiserver, the Flux controllers, the chart sources and the Git server');
      const demo = await startRealDemo({ kubeconfig, log });
      console.log(`git: ${demo.git.url}; charts: ${demo.charts.httpRepository}, ${demo.charts.ociHelmRepository}, ${demo.charts.ociRepository}`);
      console.log('waiting for the HelmReleases to be reconciled');
      await demo.settled();
      console.log(`ready ${demo.cluster.kubeconfig}`);
      console.log(`  KUBECONFIG=${demo.cluster.kubeconfig} kubectl get ks,hr -A`);
      stop = demo.stop;
    }
    const shutdown = async () => {
      await stop();
      process.exit(0);
    };
    process.on('SIGTERM', shutdown);
    process.on('SIGINT', shutdown);
  } catch (error) {
    console.error(`cluster: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}

// Run as a program, not when imported (tsx imports this file again for the demo, with a query in its URL).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) void main();
