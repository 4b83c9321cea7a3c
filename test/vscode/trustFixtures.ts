// What the Restricted Mode run needs to tell "off until trusted" from "on once trusted", by what
// reaches out: a private OCI registry (Debian's docker-registry with htpasswd) holding chart
// `demo` 1.0.0 behind a proxy that records every request, a Docker credential helper on PATH that
// records each run and answers with the registry's credentials, and a manifest at the workspace
// root whose HelmRelease installs that chart. The demo cluster (test/cluster/demoData.ts) gives
// the kubeconfig, and its API server's request listener counts what the Flux view asks.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { startDemoCluster } from '../cluster/demoData';
import { PASSWORD, pushChart, startCountingProxy, startRegistry, USER } from '../remoteCharts/registry';

/** The manifest the run opens, at the workspace root. */
export const TRUST_MANIFEST = 'private-chart.yaml';
const HELPER = 'fluxtest';

export interface TrustFixtures {
  /** For code-server: a home of its own whose profile puts the credential helper on PATH, KUBECONFIG, DOCKER_CONFIG, no Helm config of the user. */
  env: Record<string, string>;
  /** `METHOD /path` of each request that reached the registry through the proxy. */
  registryRequests(): readonly string[];
  /** The registry host each run of the credential helper was asked about. */
  helperRuns(): string[];
  /** How many requests the cluster's API server received. */
  clusterRequests(): number;
  stop(): Promise<void>;
}

export async function startTrustFixtures(tmp: string, workspace: string): Promise<TrustFixtures> {
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const s of stops.splice(0).reverse()) await s().catch(() => undefined);
  };
  try {
    const kubeconfig = path.join(tmp, 'kubeconfig');
    const cluster = await startDemoCluster({ kubeconfig, simulator: { reconcileDelayMs: 300, sourceDelayMs: 100 } });
    stops.push(() => cluster.stop());
    let clusterRequests = 0;
    const unlisten = cluster.api.onRequest(() => clusterRequests++);
    stops.push(async () => unlisten());

    const registry = await startRegistry(true);
    stops.push(() => registry.stop());
    await pushChart(registry.url, 'example/demo', 'demo', '1.0.0', `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`);
    const proxy = await startCountingProxy(registry.url);
    stops.push(() => proxy.close());
    const host = `127.0.0.1:${proxy.port}`;

    // `docker-credential-fluxtest get`: the registry host on stdin, the credentials as JSON on stdout.
    const bin = path.join(tmp, 'bin');
    const runs = path.join(tmp, 'helper-runs.log');
    mkdirSync(bin, { recursive: true });
    const helper = path.join(bin, `docker-credential-${HELPER}`);
    writeFileSync(helper, `#!/bin/sh\nread -r host\nprintf '%s\\n' "$host" >> '${runs}'\nprintf '{"ServerURL":"%s","Username":"${USER}","Secret":"${PASSWORD}"}' "$host"\n`);
    chmodSync(helper, 0o755);
    // VS Code's server takes the extension host's environment from a login shell, where Debian's
    // /etc/profile sets PATH anew; the user's profile puts the helper back, as a user's would.
    const home = path.join(tmp, 'home');
    mkdirSync(home, { recursive: true });
    writeFileSync(path.join(home, '.bash_profile'), `PATH='${bin}':"$PATH"\nexport PATH\n`);
    const dockerConfig = path.join(tmp, 'docker');
    mkdirSync(dockerConfig, { recursive: true });
    writeFileSync(path.join(dockerConfig, 'config.json'), JSON.stringify({ credsStore: HELPER }));

    writeFileSync(
      path.join(workspace, TRUST_MANIFEST),
      [
        '# A chart from a private registry: its credentials come from the Docker credential helper.',
        'apiVersion: source.toolkit.fluxcd.io/v1',
        'kind: HelmRepository',
        'metadata:',
        '  name: private-charts',
        '  namespace: flux-system',
        'spec:',
        '  type: oci',
        '  insecure: true',
        `  url: oci://${host}/example`,
        '---',
        'apiVersion: helm.toolkit.fluxcd.io/v2',
        'kind: HelmRelease',
        'metadata:',
        '  name: demo',
        '  namespace: flux-system',
        'spec:',
        '  interval: 10m',
        '  chart:',
        '    spec:',
        '      chart: demo',
        '      version: 1.0.0',
        '      sourceRef:',
        '        kind: HelmRepository',
        '        name: private-charts',
        '',
      ].join('\n'),
    );

    return {
      env: {
        HOME: home,
        SHELL: '/bin/bash',
        KUBECONFIG: kubeconfig,
        DOCKER_CONFIG: dockerConfig,
        HELM_REGISTRY_CONFIG: path.join(tmp, 'no-helm-registry-config.json'),
        HELM_REPOSITORY_CONFIG: path.join(tmp, 'no-helm-repositories.yaml'),
        PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}`,
      },
      registryRequests: () => proxy.requests,
      helperRuns: () => (existsSync(runs) ? readFileSync(runs, 'utf8').split('\n').filter(Boolean) : []),
      clusterRequests: () => clusterRequests,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
