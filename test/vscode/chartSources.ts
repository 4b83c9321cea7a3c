// Local stand-ins for the chart sources the sample workspace (a copy of test/fixtures/gitops-repo)
// names, so that values completion, hover and checks from real charts work in the real-VS-Code
// suite and the demo without touching the public network:
//   - HelmRepository `bitnami`: an HTTP chart repository (index.yaml + .tgz) served by node http,
//   - HelmRepository `grade-api-charts` (type oci): Debian's docker-registry with htpasswd auth,
//   - OCIRepository `podinfo`: an anonymous docker-registry,
//   - a GitRepository chart: test/fixtures/local-chart's chart copied to charts/grade-api-local.
// The copy's infrastructure/sources/helm-repositories.yaml is rewritten to point at them.
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { buildChart, startServer, type TestServer } from '../remoteCharts/helpers';
import { PASSWORD, pushChart, startRegistry, USER, type Registry } from '../remoteCharts/registry';
import type { ChartSourcesConfig } from './protocol';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SOURCES_FILE = 'infrastructure/sources/helm-repositories.yaml';
const LOCAL_CHART = 'charts/grade-api-local';
const LOCAL_RELEASE = 'apps/base/local/release.yaml';

export interface ChartSources {
  /** What the suite needs to know (URLs, the private registry's credentials, the local chart). */
  config: ChartSourcesConfig;
  stop(): Promise<void>;
}

/** Starts every source on 127.0.0.1, fills them with charts and points `workspace` at them. */
export async function startChartSources(workspace: string): Promise<ChartSources> {
  const stops: Array<() => Promise<void>> = [];
  const stop = async (): Promise<void> => {
    await Promise.all(stops.splice(0).map((s) => s().catch(() => undefined)));
  };
  try {
    const http = await startHttpRepository();
    stops.push(() => http.close());
    const privateRegistry = await startRegistry(true);
    stops.push(() => privateRegistry.stop());
    const publicRegistry = await startRegistry(false);
    stops.push(() => publicRegistry.stop());
    await pushGradeApi(privateRegistry);
    await pushPodinfo(publicRegistry);
    const config: ChartSourcesConfig = {
      httpRepository: `${http.url}/bitnami`,
      ociHelmRepository: `oci://127.0.0.1:${privateRegistry.port}/example/charts`,
      ociRepository: `oci://127.0.0.1:${publicRegistry.port}/stefanprodan/charts/podinfo`,
      credentials: { username: USER, password: PASSWORD },
      localChart: LOCAL_CHART,
      localRelease: LOCAL_RELEASE,
    };
    rewriteSources(path.join(workspace, SOURCES_FILE), config);
    addLocalChart(workspace);
    return { config, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Helm's registry config (`$HELM_REGISTRY_CONFIG`) holding the private registry's credentials. */
export function helmRegistryConfig(config: ChartSourcesConfig): string {
  const host = config.ociHelmRepository.slice('oci://'.length).split('/')[0]!;
  const auth = Buffer.from(`${config.credentials.username}:${config.credentials.password}`).toString('base64');
  return JSON.stringify({ auths: { [host]: { auth } } }, null, 2);
}

/**
 * The `spec.url`s of the HelmRepositories and OCIRepositories in `workspace` (what the extension
 * downloads charts from) whose host is not this machine. GitRepository URLs are never fetched.
 */
export function offMachineChartUrls(workspace: string): string[] {
  const out: string[] = [];
  for (const file of yamlFiles(workspace)) {
    for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
      if (!('toJS' in doc)) continue;
      const object = doc.toJS() as { kind?: unknown; spec?: { url?: unknown } } | null;
      if (object?.kind !== 'HelmRepository' && object?.kind !== 'OCIRepository') continue;
      const url = String(object.spec?.url ?? '');
      if (!isLoopback(url)) out.push(`${path.relative(workspace, file)}: ${object.kind} ${url}`);
    }
  }
  return out;
}

function isLoopback(url: string): boolean {
  try {
    return ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url.replace(/^oci:/, 'http:')).hostname);
  } catch {
    return false;
  }
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return name === 'node_modules' || name === '.git' ? [] : yamlFiles(full);
    return /\.ya?ml$/.test(name) ? [full] : [];
  });
}

// ---- the workspace ----

/** Points the three remote sources at the local servers; everything else of the file stays. */
function rewriteSources(file: string, config: ChartSourcesConfig): void {
  let text = readFileSync(file, 'utf8');
  text = replaceUrl(text, 'https://charts.bitnami.com/bitnami', config.httpRepository, false);
  // The registries speak plain HTTP, which Flux (and the extension) only use with `insecure: true`.
  text = replaceUrl(text, 'oci://ghcr.io/example/charts', config.ociHelmRepository, true);
  text = replaceUrl(text, 'oci://ghcr.io/stefanprodan/charts/podinfo', config.ociRepository, true);
  writeFileSync(file, text);
}

function replaceUrl(text: string, from: string, to: string, insecure: boolean): string {
  const pattern = new RegExp(`^([ \\t]*)url: ${from.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}[ \\t]*$`, 'm');
  const match = pattern.exec(text);
  if (!match) throw new Error(`${SOURCES_FILE} of the fixture no longer has \`url: ${from}\``);
  const indent = match[1]!;
  return text.replace(pattern, `${indent}url: ${to}${insecure ? `\n${indent}insecure: true` : ''}`);
}

/** A chart directory in the repository (with its postgresql subchart) and a release installing it from Git. */
function addLocalChart(workspace: string): void {
  cpSync(path.join(ROOT, 'test', 'fixtures', 'local-chart', 'charts', 'grade-api'), path.join(workspace, LOCAL_CHART), { recursive: true });
  mkdirSync(path.dirname(path.join(workspace, LOCAL_RELEASE)), { recursive: true });
  writeFileSync(
    path.join(workspace, LOCAL_RELEASE),
    [
      '# The chart lives in this repository: Flux reads it from the GitRepository at this path.',
      'apiVersion: helm.toolkit.fluxcd.io/v2',
      'kind: HelmRelease',
      'metadata:',
      '  name: grade-api-local',
      '  namespace: flux-system',
      'spec:',
      '  interval: 10m',
      '  chart:',
      '    spec:',
      `      chart: ./${LOCAL_CHART}`,
      '      sourceRef:',
      '        kind: GitRepository',
      '        name: flux-system',
      '  values:',
      '    replicaCount: 2',
      '    database:',
      '      auth:',
      '        database: grades',
      '',
    ].join('\n'),
  );
}

// ---- HTTP: the bitnami repository with postgresql ----

const POSTGRES_VALUES = (adminKey: string, size: string): string => `# -- PostgreSQL architecture: \`standalone\` or \`replication\`.
architecture: standalone

auth:
  # -- Password of the \`postgres\` admin user; generated when empty.
  ${adminKey}: ""
  # -- Name of a user to create.
  username: ""
  # -- Password of the user to create; generated when empty.
  password: ""
  # -- Name of a database to create.
  database: ""
  # -- An existing Secret with the passwords, instead of the values above.
  existingSecret: ""

primary:
  # -- Extra settings for postgresql.conf.
  configuration: ""
  persistence:
    # -- Keep the data in a PersistentVolumeClaim.
    enabled: true
    # -- Size of the data volume.
    size: ${size}
  resources: {}

readReplicas:
  # -- Number of read-only replicas (with \`architecture: replication\`).
  replicaCount: 1

metrics:
  # -- Run the Prometheus exporter as a sidecar.
  enabled: false
`;

/** 17.0.0 renames `auth.postgresPassword` to `auth.adminPassword` (a breaking change, as Bitnami does them). */
const POSTGRES_CHARTS = [
  { version: '16.4.2', created: '2024-11-20T09:30:00Z', values: POSTGRES_VALUES('postgresPassword', '8Gi') },
  { version: '17.0.0', created: '2025-01-14T10:00:00Z', values: POSTGRES_VALUES('adminPassword', '10Gi') },
];

// The charts' templates are installable on the real cluster (test/realCluster/demo.ts), which has no
// kubelet: their resources are ready without pods, except grade-api's database migration Job.

const SERVICE = (port: string, type = 'ClusterIP'): string =>
  ['apiVersion: v1', 'kind: Service', 'metadata:', '  name: {{ .Release.Name }}', 'spec:', `  type: ${type}`, '  selector:', '    app: {{ .Release.Name }}', '  ports:', `    - port: ${port}`, ''].join('\n');

const POSTGRES_TEMPLATES = {
  'service.yaml': SERVICE('5432'),
  'configmap.yaml': ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: {{ .Release.Name }}-postgresql', 'data:', '  architecture: {{ .Values.architecture | quote }}', '  database: {{ .Values.auth.database | quote }}', ''].join('\n'),
};

/** A post-install hook Job that never completes without a kubelet: the install fails as "timed out waiting for the condition". */
const GRADE_API_TEMPLATES = {
  'configmap.yaml': ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: {{ .Release.Name }}-settings', 'data:', '  replicas: {{ .Values.replicaCount | quote }}', '  image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"', ''].join('\n'),
  'migrate-job.yaml': [
    'apiVersion: batch/v1',
    'kind: Job',
    'metadata:',
    '  name: {{ .Release.Name }}-migrate',
    '  annotations:',
    '    helm.sh/hook: post-install,post-upgrade',
    '    helm.sh/hook-delete-policy: before-hook-creation',
    'spec:',
    '  backoffLimit: 0',
    '  template:',
    '    spec:',
    '      restartPolicy: Never',
    '      containers:',
    '        - name: migrate',
    '          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"',
    '          args: [migrate]',
    '',
  ].join('\n'),
};

/** `service.type` goes to the Service: a type Kubernetes does not know makes an upgrade fail at the API server. */
const PODINFO_TEMPLATES = {
  'service.yaml': SERVICE('{{ .Values.service.httpPort }}', '{{ .Values.service.type }}'),
  'configmap.yaml': ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: {{ .Release.Name }}-ui', 'data:', '  replicas: {{ .Values.replicaCount | quote }}', '  message: {{ .Values.ui.message | quote }}', '  color: {{ .Values.ui.color | quote }}', ''].join('\n'),
};

async function startHttpRepository(): Promise<TestServer> {
  const files = new Map<string, Buffer>();
  const entries: string[] = [];
  // Newest first, as `helm repo index` writes them.
  for (const chart of [...POSTGRES_CHARTS].reverse()) {
    const archive = await buildChart('postgresql', chart.version, { values: chart.values, templates: POSTGRES_TEMPLATES });
    const name = `postgresql-${chart.version}.tgz`;
    files.set(`/bitnami/${name}`, archive);
    entries.push(
      [
        '    - apiVersion: v2',
        '      name: postgresql',
        `      version: ${chart.version}`,
        `      created: "${chart.created}"`,
        '      description: PostgreSQL, packaged by Bitnami (a local test copy).',
        `      digest: ${createHash('sha256').update(archive).digest('hex')}`,
        '      urls:',
        `        - ${name}`,
      ].join('\n'),
    );
  }
  files.set('/bitnami/index.yaml', Buffer.from(`apiVersion: v1\nentries:\n  postgresql:\n${entries.join('\n')}\ngenerated: "2025-01-14T10:00:00Z"\n`));
  return startServer((req, res) => {
    const file = files.get((req.url ?? '/').split('?')[0]!);
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-length': String(file.length) }).end(file);
  });
}

// ---- OCI: grade-api (private, with a schema) and podinfo (anonymous) ----

const GRADE_API_VALUES = `# -- Number of API pods.
replicaCount: 1

image:
  # -- Image repository of the API.
  repository: ghcr.io/example/grade-api
  # -- Image tag; the chart's appVersion when empty.
  tag: ""
  pullPolicy: IfNotPresent

ingress:
  enabled: false
  host: grades.example.com

resources: {}

postgresql:
  enabled: true
`;

/** draft-07, closed at the top like many real charts; 1.2.0 adds `logLevel`. */
function gradeApiSchema(withLogLevel: boolean): object {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object',
    additionalProperties: false,
    properties: {
      replicaCount: { type: 'integer', minimum: 1, description: 'Number of grade-api pods; at least one.' },
      image: {
        type: 'object',
        description: 'The container image of the API.',
        additionalProperties: false,
        properties: {
          repository: { type: 'string', description: 'Image repository of the API.' },
          tag: { type: 'string', description: "Image tag; the chart's appVersion when empty." },
          pullPolicy: { type: 'string', enum: ['IfNotPresent', 'Always', 'Never'] },
        },
      },
      ingress: {
        type: 'object',
        properties: { enabled: { type: 'boolean', description: 'Expose the API through an Ingress.' }, host: { type: 'string' } },
      },
      resources: { type: 'object', description: 'Requests and limits of the API container.' },
      postgresql: { type: 'object', description: 'Values of the postgresql subchart.' },
      global: { type: 'object' },
      ...(withLogLevel ? { logLevel: { type: 'string', enum: ['debug', 'info', 'warn', 'error'], default: 'info', description: 'Log level of the API.' } } : {}),
    },
  };
}

async function pushGradeApi(registry: Registry): Promise<void> {
  const authorization = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
  for (const version of ['1.0.0', '1.2.0']) {
    const archive = await buildChart('grade-api', version, { values: GRADE_API_VALUES, schema: gradeApiSchema(version !== '1.0.0'), templates: GRADE_API_TEMPLATES });
    await pushChart(registry.url, 'example/charts/grade-api', 'grade-api', version, authorization, archive);
  }
}

const PODINFO_VALUES = (tag: string): string => `# -- Number of podinfo pods.
replicaCount: 1
# -- Log level: debug, info, warn or error.
logLevel: info

ui:
  # -- Background color of the UI.
  color: "#34577c"
  # -- Message shown on the UI page.
  message: ""
  # -- URL of a logo shown on the UI page.
  logo: ""

image:
  repository: ghcr.io/stefanprodan/podinfo
  tag: ${tag}
  pullPolicy: IfNotPresent

service:
  enabled: true
  type: ClusterIP
  httpPort: 9898

ingress:
  enabled: false
  className: ""
  annotations: {}
  hosts:
    - host: podinfo.local
      paths:
        - path: /
          pathType: ImplementationSpecific
  tls: []

resources:
  limits: {}
  requests:
    cpu: 1m
    memory: 16Mi
`;

async function pushPodinfo(registry: Registry): Promise<void> {
  for (const version of ['6.5.4', '6.7.0']) {
    await pushChart(registry.url, 'stefanprodan/charts/podinfo', 'podinfo', version, undefined, await buildChart('podinfo', version, { values: PODINFO_VALUES(version), templates: PODINFO_TEMPLATES }));
  }
}
