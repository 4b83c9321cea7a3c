/**
 * Generates files of realistic, varied Flux HelmReleases for the benchmark, and remembers where the
 * benchmark will edit, complete and hover in them.
 */

/** A zero-based position in a generated file. */
export interface Spot {
  line: number;
  character: number;
}

/** The places of one HelmRelease that the benchmark works at. */
export interface ReleaseTargets {
  /** Index of the HelmRelease in the file. */
  release: number;
  /** Start of a whitespace-only line right under `install:` ("the user just pressed Enter"). */
  completion: Spot;
  /** Inside the `remediation` key of `spec.upgrade`. */
  hover: Spot;
  /** The single digit of `replicaCount` in `values`. */
  number: Spot;
  /** Line of `repository: …` under `values.image`: characters are typed at its end. */
  typing: Spot;
}

export interface GeneratedFile {
  lines: string[];
  releases: number;
  /** Deliberate problems: unknown fields, bad durations, a string where an integer belongs. */
  problems: number;
  /** Targets in the first, the middle and the last HelmRelease. */
  targets: [ReleaseTargets, ReleaseTargets, ReleaseTargets];
}

/** Small deterministic PRNG (mulberry32) so that every run benchmarks the same files. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const APPS = [
  ['podinfo', 'podinfo', 'podinfo'],
  ['ingress-nginx', 'ingress-nginx', 'ingress-nginx'],
  ['cert-manager', 'cert-manager', 'jetstack'],
  ['redis', 'redis', 'bitnami'],
  ['postgresql', 'postgresql', 'bitnami'],
  ['grafana', 'grafana', 'grafana'],
  ['loki', 'loki', 'grafana'],
  ['prometheus', 'kube-prometheus-stack', 'prometheus-community'],
  ['external-dns', 'external-dns', 'external-dns'],
  ['sealed-secrets', 'sealed-secrets', 'sealed-secrets'],
  ['velero', 'velero', 'vmware-tanzu'],
  ['keycloak', 'keycloak', 'bitnami'],
] as const;
const TEAMS = ['platform', 'payments', 'search', 'observability', 'identity', 'data'];
const NAMESPACES = ['apps', 'infra', 'monitoring', 'security', 'data', 'edge'];
const VERSIONS = ['>=1.2.0 <2.0.0', '~4.7', '^1.10.0', '1.2.x', '6.5.3', '>=0.9.0-0', '*', '~> 2.3'];
const INTERVALS = ['5m', '10m', '30m', '1h', '15m0s', '1h30m'];
const TIMEOUTS = ['5m', '10m', '2m30s', '15m'];

function pick<T>(rand: () => number, list: readonly T[]): T {
  return list[Math.floor(rand() * list.length)]!;
}

interface Release {
  lines: string[];
  problems: number;
  /** Offsets (lines within the release) of the targets. */
  completion: number;
  hover: number;
  number: number;
  numberColumn: number;
  typing: number;
}

/** One HelmRelease of about 50–70 lines. `withCompletionLine` adds the blank line under `install:`. */
function release(index: number, rand: () => number, withCompletionLine: boolean): Release {
  const [app, chart, repo] = pick(rand, APPS);
  const team = pick(rand, TEAMS);
  const namespace = pick(rand, NAMESPACES);
  const name = `${app}-${index}`;
  const l: string[] = [];
  let problems = 0;
  // Deliberate problems, deterministic by index; the first release always has one.
  const unknownField = index % 10 === 0;
  const badDuration = index % 10 === 5;
  const badRetries = index % 25 === 13;

  l.push(`# ${app} for team ${team} (release #${index})`);
  l.push('apiVersion: helm.toolkit.fluxcd.io/v2');
  l.push('kind: HelmRelease');
  l.push('metadata:');
  l.push(`  name: ${name}`);
  l.push(`  namespace: ${namespace}`);
  l.push('  labels:');
  l.push(`    app.kubernetes.io/name: ${app}`);
  l.push(`    app.kubernetes.io/part-of: ${team}`);
  if (rand() < 0.4) {
    l.push('  annotations:');
    l.push(`    example.com/owner: ${team}@example.com`);
  }
  l.push('spec:');
  l.push(`  interval: ${pick(rand, INTERVALS)}`);
  if (badDuration) {
    l.push('  timeout: 5 minutes # deliberate: not a Go duration');
    problems++;
  } else {
    l.push(`  timeout: ${pick(rand, TIMEOUTS)}`);
  }
  if (rand() < 0.5) l.push(`  releaseName: ${name}`);
  if (rand() < 0.3) l.push(`  targetNamespace: ${namespace}`);
  if (rand() < 0.3) l.push(`  maxHistory: ${2 + Math.floor(rand() * 8)}`);
  l.push('  chart:');
  l.push('    spec:');
  if (index % 4 === 3) {
    // A chart kept in the repository: its values give completion and checks of spec.values.
    l.push(`      chart: ./charts/${chart}`);
    l.push('      sourceRef:');
    l.push('        kind: GitRepository');
    l.push('        name: platform');
    l.push('        namespace: flux-system');
  } else {
    l.push(`      chart: ${chart}`);
    l.push(`      version: "${pick(rand, VERSIONS)}"`);
    l.push('      sourceRef:');
    l.push('        kind: HelmRepository');
    l.push(`        name: ${repo}`);
    l.push('        namespace: flux-system');
  }
  l.push(`      interval: ${pick(rand, ['1h', '12h', '24h'])}`);
  if (rand() < 0.3) l.push('      reconcileStrategy: ChartVersion');
  l.push('  install:');
  const completion = l.length;
  if (withCompletionLine) l.push('    ');
  l.push(`    crds: ${pick(rand, ['Create', 'CreateReplace', 'Skip'])}`);
  if (rand() < 0.5) l.push('    createNamespace: true');
  l.push('    remediation:');
  if (badRetries) {
    l.push('      retries: three # deliberate: not an integer');
    problems++;
  } else {
    l.push(`      retries: ${1 + Math.floor(rand() * 5)}`);
  }
  l.push('  upgrade:');
  if (unknownField) {
    l.push('    cleanUpOnFail: true # deliberate: unknown field (it is cleanupOnFail)');
    problems++;
  } else {
    l.push('    cleanupOnFail: true');
  }
  l.push(`    crds: ${pick(rand, ['CreateReplace', 'Skip'])}`);
  const hover = l.length;
  l.push('    remediation:');
  l.push(`      retries: ${1 + Math.floor(rand() * 5)}`);
  l.push('      remediateLastFailure: true');
  l.push(`      strategy: ${pick(rand, ['rollback', 'uninstall'])}`);
  if (rand() < 0.4) {
    l.push('  test:');
    l.push('    enable: true');
  }
  if (rand() < 0.3) {
    l.push('  driftDetection:');
    l.push(`    mode: ${pick(rand, ['enabled', 'warn'])}`);
  }
  if (rand() < 0.6) {
    l.push('  dependsOn:');
    l.push('    - name: cert-manager');
    l.push('      namespace: cert-manager');
    if (rand() < 0.5) l.push(`    - name: ${pick(rand, APPS)[0]}-${Math.max(0, index - 1)}`);
  }
  l.push('  valuesFrom:');
  l.push('    - kind: ConfigMap');
  l.push(`      name: ${app}-values`);
  l.push('      valuesKey: values.yaml');
  if (rand() < 0.5) {
    l.push('    - kind: Secret');
    l.push(`      name: ${app}-secrets`);
    l.push('      targetPath: auth.password');
    l.push('      optional: true');
  }
  l.push('  # Values override the chart defaults and the valuesFrom sources above.');
  l.push('  values:');
  const number = l.length;
  l.push(`    replicaCount: ${1 + Math.floor(rand() * 9)}`);
  l.push('    image:');
  const typing = l.length;
  l.push(`      repository: ghcr.io/example/${app}`);
  l.push(`      tag: "${1 + Math.floor(rand() * 3)}.${Math.floor(rand() * 20)}.${Math.floor(rand() * 10)}"`);
  l.push('      pullPolicy: IfNotPresent');
  l.push('    resources:');
  l.push('      requests:');
  l.push(`        cpu: ${pick(rand, ['50m', '100m', '250m', '500m'])}`);
  l.push(`        memory: ${pick(rand, ['64Mi', '128Mi', '256Mi', '1Gi'])}`);
  l.push('      limits:');
  l.push(`        memory: ${pick(rand, ['256Mi', '512Mi', '2Gi'])}`);
  if (rand() < 0.5) {
    l.push('    ingress:');
    l.push('      enabled: true');
    l.push('      className: nginx');
    l.push('      hosts:');
    l.push(`        - host: ${app}.${team}.example.com`);
    l.push('          paths:');
    l.push('            - path: /');
    l.push('              pathType: Prefix');
  }
  l.push('    env:');
  l.push('      - name: LOG_LEVEL');
  l.push(`        value: ${pick(rand, ['info', 'debug', 'warn'])}`);
  if (rand() < 0.5) {
    l.push('      - name: FEATURE_FLAGS');
    l.push('        value: "a,b,c"');
  }
  if (rand() < 0.5) {
    l.push('    podAnnotations:');
    l.push(`      prometheus.io/scrape: "true"`);
  }
  if (rand() < 0.3) {
    l.push('    tolerations:');
    l.push(`      - { key: dedicated, value: ${team}, effect: NoSchedule }`);
  }
  return {
    lines: l,
    problems,
    completion,
    hover,
    number,
    numberColumn: '    replicaCount: '.length,
    typing,
  };
}

/** Generates HelmReleases separated by `---` until the file has at least `targetLines` lines. */
export function generateFile(targetLines: number, seed = 42): GeneratedFile {
  // Build once without the completion lines to know how many releases there will be.
  const bodies: Release[] = [];
  let count = 0;
  for (let i = 0; count < targetLines; i++) {
    const r = release(i, prng(seed * 1000 + i), false);
    bodies.push(r);
    count += r.lines.length + 1;
  }
  const n = bodies.length;
  const chosen = [0, Math.floor(n / 2), n - 1];
  const lines: string[] = [];
  let problems = 0;
  const targets: ReleaseTargets[] = [];
  for (let i = 0; i < n; i++) {
    const isTarget = chosen.includes(i);
    const r = isTarget ? release(i, prng(seed * 1000 + i), true) : bodies[i]!;
    if (i > 0) lines.push('---');
    const base = lines.length;
    lines.push(...r.lines);
    problems += r.problems;
    if (isTarget) {
      const t: ReleaseTargets = {
        release: i,
        completion: { line: base + r.completion, character: 4 },
        hover: { line: base + r.hover, character: 8 },
        number: { line: base + r.number, character: r.numberColumn },
        typing: { line: base + r.typing, character: r.lines[r.typing]!.length },
      };
      for (let k = 0; k < 3; k++) if (chosen[k] === i) targets[k] = t;
    }
  }
  lines.push('');
  return { lines, releases: n, problems, targets: [targets[0]!, targets[1]!, targets[2]!] };
}

/**
 * The rest of the workspace the generated releases refer to: their HelmRepositories, a
 * GitRepository with a chart directory per chart, the `cert-manager` release they depend on and
 * their values ConfigMaps in every namespace. Files by path relative to the workspace folder.
 */
export function workspaceFiles(): Map<string, string> {
  const files = new Map<string, string>();
  const documents: string[] = [];
  for (const repo of [...new Set(APPS.map(([, , r]) => r))]) {
    documents.push(`apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: ${repo}\n  namespace: flux-system\nspec:\n  interval: 1h\n  url: https://charts.example.com/${repo}\n`);
  }
  documents.push('apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: platform\n  namespace: flux-system\nspec:\n  interval: 5m\n  url: https://git.example.com/platform.git\n  ref:\n    branch: main\n');
  documents.push('apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: cert-manager\n  namespace: cert-manager\nspec:\n  interval: 1h\n  chart:\n    spec:\n      chart: cert-manager\n      sourceRef:\n        kind: HelmRepository\n        name: jetstack\n        namespace: flux-system\n');
  files.set('sources.yaml', documents.join('---\n'));
  const configMaps: string[] = [];
  for (const namespace of NAMESPACES) {
    for (const [app] of APPS) {
      configMaps.push(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${app}-values\n  namespace: ${namespace}\ndata:\n  values.yaml: |\n    replicaCount: 2\n`);
    }
  }
  files.set('values.yaml', configMaps.join('---\n'));
  for (const chart of [...new Set(APPS.map(([, c]) => c))]) {
    files.set(`charts/${chart}/Chart.yaml`, `apiVersion: v2\nname: ${chart}\nversion: 1.0.0\n`);
    files.set(
      `charts/${chart}/values.yaml`,
      '# -- Number of pods.\nreplicaCount: 1\nimage:\n  repository: ""\n  tag: ""\n  pullPolicy: IfNotPresent\nresources: {}\ningress:\n  enabled: false\n  className: ""\n  hosts: []\nenv: []\npodAnnotations: {}\ntolerations: []\n',
    );
  }
  return files;
}
