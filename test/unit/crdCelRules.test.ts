import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { codes, yaml } from "../helpers";

// The rules the API server enforces with CEL (`x-kubernetes-validations`) are not in our schema
// files: the diagnostics check them instead. For every kind we have a schema for, each CEL rule of
// its CRD (from test/fixtures/crd-fingerprint.json) must be listed here with a manifest that breaks
// it and one that keeps it. A rule the CRDs gain (after `npm run fingerprint`) fails the first test
// until it is listed; a rule they drop fails it too.

const ROOT = path.resolve(__dirname, "../..");
const FINGERPRINT = path.join(ROOT, "test/fixtures/crd-fingerprint.json");

interface Cel {
  rule: string;
  message?: string;
}
type Node = {
  cel?: Cel[];
  properties?: Record<string, Node>;
  items?: Node;
  additionalProperties?: Node | boolean;
};
interface Fingerprint {
  crds: Array<{
    group: string;
    kind: string;
    served: Record<string, { spec: Node }>;
  }>;
}

/** A CEL rule that our diagnostics check: `breaks` gets only `code`, `keeps` gets nothing. */
interface Checked {
  kind: string;
  path: string;
  rule: string;
  code: string;
  breaks: string;
  keeps: string;
}

/**
 * A CEL rule that no diagnostic of ours checks yet: the API server refuses `breaks`, and we say
 * nothing. Listed so that the gap is visible (printed by the test); when a check is added, the test
 * fails and the rule moves to CHECKED.
 */
interface Unchecked {
  kind: string;
  path: string;
  rule: string;
  breaks: string;
}

const object = (apiVersion: string, kind: string, ...spec: string[]): string =>
  yaml(
    `apiVersion: ${apiVersion}`,
    `kind: ${kind}`,
    "metadata:",
    "  name: sample",
    "  namespace: apps",
    "spec:",
    ...spec,
  );
const release = (...spec: string[]): string =>
  object(
    "helm.toolkit.fluxcd.io/v2",
    "HelmRelease",
    "  interval: 10m",
    ...spec,
  );
const chart = [
  "  chart:",
  "    spec:",
  "      chart: web",
  "      sourceRef:",
  "        kind: HelmRepository",
  "        name: charts",
];
const chartRef = ["  chartRef:", "    kind: OCIRepository", "    name: web"];
const bucket = (...spec: string[]): string =>
  object(
    "source.toolkit.fluxcd.io/v1",
    "Bucket",
    "  interval: 5m",
    "  bucketName: artifacts",
    "  endpoint: minio.example.com",
    ...spec,
  );
const sts = (provider: string, ...extra: string[]): string[] => [
  "  sts:",
  `    provider: ${provider}`,
  "    endpoint: https://sts.example.com",
  ...extra,
];
const gitRepository = (...spec: string[]): string =>
  object(
    "source.toolkit.fluxcd.io/v1",
    "GitRepository",
    "  interval: 5m",
    "  url: https://git.example.com/team/config",
    ...spec,
  );
const helmChart = (sourceKind: string): string =>
  object(
    "source.toolkit.fluxcd.io/v1",
    "HelmChart",
    "  interval: 5m",
    "  chart: web",
    "  sourceRef:",
    `    kind: ${sourceKind}`,
    "    name: charts",
    "  verify:",
    "    provider: cosign",
  );

const kustomization = (...spec: string[]): string =>
  object(
    "kustomize.toolkit.fluxcd.io/v1",
    "Kustomization",
    "  interval: 10m",
    "  prune: true",
    "  sourceRef:",
    "    kind: GitRepository",
    "    name: fleet",
    ...spec,
  );
const artifactGenerator = (...spec: string[]): string =>
  object(
    "source.extensions.fluxcd.io/v1beta1",
    "ArtifactGenerator",
    "  sources:",
    "    - alias: repo",
    "      kind: GitRepository",
    "      name: fleet",
    "  artifacts:",
    ...spec,
  );

const provider = (type: string, ...spec: string[]): string =>
  object("notification.toolkit.fluxcd.io/v1beta3", "Provider", `  type: ${type}`, ...spec);
const receiver = (type: string, ...spec: string[]): string =>
  object(
    "notification.toolkit.fluxcd.io/v1",
    "Receiver",
    `  type: ${type}`,
    "  resources:",
    "    - kind: GitRepository",
    "      name: fleet",
    ...spec,
  );
const receiverSecret = ["  secretRef:", "    name: webhook-token"];
const receiverOidc = [
  "  oidcProviders:",
  "    - issuerURL: https://token.actions.githubusercontent.com",
  "      validations:",
  "        - expression: claims.repository == 'org/fleet'",
  "          message: only the fleet repository may call",
];
const imagePolicy = (...spec: string[]): string =>
  object(
    "image.toolkit.fluxcd.io/v1",
    "ImagePolicy",
    "  imageRepositoryRef:",
    "    name: web",
    "  policy:",
    "    semver:",
    "      range: '>=1.0.0'",
    ...spec,
  );

const CHECKED: Checked[] = [
  {
    kind: "HelmRelease",
    path: "spec",
    rule: "(has(self.chart) && !has(self.chartRef)) || (!has(self.chart) && has(self.chartRef))",
    code: "chart-or-chartref",
    breaks: release(...chart, ...chartRef),
    keeps: release(...chartRef),
  },
  {
    kind: "HelmRelease",
    path: "spec.install.strategy",
    rule: "!has(self.retryInterval) || self.name != 'RemediateOnFailure'",
    code: "retry-interval-strategy",
    breaks: release(
      ...chart,
      "  install:",
      "    strategy:",
      "      name: RemediateOnFailure",
      "      retryInterval: 2m",
    ),
    keeps: release(
      ...chart,
      "  install:",
      "    strategy:",
      "      name: RetryOnFailure",
      "      retryInterval: 2m",
    ),
  },
  {
    kind: "HelmRelease",
    path: "spec.upgrade.strategy",
    rule: "!has(self.retryInterval) || self.name == 'RetryOnFailure'",
    code: "retry-interval-strategy",
    breaks: release(
      ...chart,
      "  upgrade:",
      "    strategy:",
      "      name: RemediateOnFailure",
      "      retryInterval: 2m",
    ),
    keeps: release(
      ...chart,
      "  upgrade:",
      "    strategy:",
      "      name: RetryOnFailure",
      "      retryInterval: 2m",
    ),
  },
  {
    kind: "HelmRelease",
    path: "spec.kubeConfig",
    rule: "has(self.configMapRef) || has(self.secretRef)",
    code: "kubeconfig-ref",
    breaks: release(...chart, "  kubeConfig: {}"),
    keeps: release(
      ...chart,
      "  kubeConfig:",
      "    configMapRef:",
      "      name: remote-cluster",
    ),
  },
  {
    kind: "HelmRelease",
    path: "spec.kubeConfig",
    rule: "!has(self.configMapRef) || !has(self.secretRef)",
    code: "kubeconfig-ref",
    breaks: release(
      ...chart,
      "  kubeConfig:",
      "    configMapRef:",
      "      name: remote-cluster",
      "    secretRef:",
      "      name: remote-cluster",
    ),
    keeps: release(
      ...chart,
      "  kubeConfig:",
      "    secretRef:",
      "      name: remote-cluster",
    ),
  },
  {
    kind: "Bucket",
    path: "spec",
    rule: "self.provider == 'aws' || self.provider == 'generic' || !has(self.sts)",
    code: "bucket-sts",
    breaks: bucket("  provider: azure", ...sts("ldap")),
    keeps: bucket("  provider: azure"),
  },
  {
    kind: "Bucket",
    path: "spec",
    rule: "self.provider != 'aws' || !has(self.sts) || self.sts.provider == 'aws'",
    code: "bucket-sts",
    breaks: bucket("  provider: aws", ...sts("ldap")),
    keeps: bucket("  provider: aws", ...sts("aws")),
  },
  {
    kind: "Bucket",
    path: "spec",
    rule: "self.provider != 'generic' || !has(self.sts) || self.sts.provider == 'ldap'",
    code: "bucket-sts",
    // `provider` defaults to generic.
    breaks: bucket(...sts("aws")),
    keeps: bucket(...sts("ldap")),
  },
  {
    kind: "Bucket",
    path: "spec",
    rule: "!has(self.sts) || self.sts.provider != 'aws' || !has(self.sts.secretRef)",
    code: "bucket-sts",
    breaks: bucket(
      "  provider: aws",
      ...sts("aws", "    secretRef:", "      name: sts-login"),
    ),
    keeps: bucket(
      "  provider: generic",
      ...sts("ldap", "    secretRef:", "      name: sts-login"),
    ),
  },
  {
    kind: "Bucket",
    path: "spec",
    rule: "!has(self.sts) || self.sts.provider != 'aws' || !has(self.sts.certSecretRef)",
    code: "bucket-sts",
    breaks: bucket(
      "  provider: aws",
      ...sts("aws", "    certSecretRef:", "      name: sts-tls"),
    ),
    keeps: bucket(
      "  provider: generic",
      ...sts("ldap", "    certSecretRef:", "      name: sts-tls"),
    ),
  },
  {
    kind: "GitRepository",
    path: "spec",
    rule: "!has(self.serviceAccountName) || (has(self.provider) && (self.provider == 'azure' || self.provider == 'aws'))",
    code: "service-account-provider",
    breaks: gitRepository(
      "  provider: generic",
      "  serviceAccountName: git-reader",
    ),
    keeps: gitRepository(
      "  provider: azure",
      "  serviceAccountName: git-reader",
    ),
  },
  {
    kind: "HelmChart",
    path: "spec",
    rule: "!has(self.verify) || self.sourceRef.kind == 'HelmRepository'",
    code: "verify-source-kind",
    breaks: helmChart("GitRepository"),
    keeps: helmChart("HelmRepository"),
  },
  {
    kind: "Kustomization",
    path: "spec.kubeConfig",
    rule: "has(self.configMapRef) || has(self.secretRef)",
    code: "kubeconfig-ref",
    breaks: kustomization("  kubeConfig: {}"),
    keeps: kustomization(
      "  kubeConfig:",
      "    secretRef:",
      "      name: edge-cluster",
      "      key: value.yaml",
    ),
  },
  {
    kind: "Kustomization",
    path: "spec.kubeConfig",
    rule: "!has(self.configMapRef) || !has(self.secretRef)",
    code: "kubeconfig-ref",
    breaks: kustomization(
      "  kubeConfig:",
      "    configMapRef:",
      "      name: edge-cluster",
      "    secretRef:",
      "      name: edge-cluster",
    ),
    keeps: kustomization(
      "  kubeConfig:",
      "    configMapRef:",
      "      name: edge-cluster",
    ),
  },
  {
    kind: "ArtifactGenerator",
    path: "spec",
    rule: "has(self.pathPattern) && size(self.pathPattern) > 0 || self.artifacts.all(a, a.name.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$'))",
    code: "artifact-name",
    breaks: artifactGenerator(
      "    - name: '{app}-manifests'",
      "      copy:",
      "        - from: '@repo/apps/**'",
      "          to: '@artifact/'",
    ),
    keeps: artifactGenerator(
      "    - name: web-manifests",
      "      copy:",
      "        - from: '@repo/apps/web/**'",
      "          to: '@artifact/'",
    ),
  },
  {
    kind: "Provider",
    path: "spec",
    rule: "self.type == 'github' || self.type == 'gitlab' || self.type == 'gitea' || self.type == 'bitbucketserver' || self.type == 'bitbucket' || self.type == 'azuredevops' || !has(self.commitStatusExpr)",
    code: "commit-status-expr",
    breaks: provider("slack", "  channel: alerts", "  commitStatusExpr: event.involvedObject.name"),
    keeps: provider("gitea", "  address: https://gitea.example.com/team/config", "  commitStatusExpr: event.involvedObject.name"),
  },
  {
    kind: "Receiver",
    path: "spec",
    rule: "self.type != 'generic-oidc' || (has(self.oidcProviders) && size(self.oidcProviders) > 0)",
    code: "receiver-auth",
    breaks: receiver("generic-oidc"),
    keeps: receiver("generic-oidc", ...receiverOidc),
  },
  {
    kind: "Receiver",
    path: "spec",
    rule: "self.type == 'generic-oidc' || !has(self.oidcProviders) || size(self.oidcProviders) == 0",
    code: "receiver-auth",
    breaks: receiver("github", ...receiverSecret, ...receiverOidc),
    keeps: receiver("github", ...receiverSecret, "  events:", "    - push"),
  },
  {
    kind: "Receiver",
    path: "spec",
    rule: "self.type != 'generic-oidc' || !has(self.secretRef)",
    code: "receiver-auth",
    breaks: receiver("generic-oidc", ...receiverOidc, ...receiverSecret),
    keeps: receiver("generic-oidc", ...receiverOidc),
  },
  {
    kind: "Receiver",
    path: "spec",
    rule: "self.type == 'generic-oidc' || has(self.secretRef)",
    code: "receiver-auth",
    breaks: receiver("harbor"),
    keeps: receiver("harbor", ...receiverSecret),
  },
  {
    kind: "ImagePolicy",
    path: "spec",
    rule: "!has(self.interval) || (has(self.digestReflectionPolicy) && self.digestReflectionPolicy == 'Always')",
    code: "digest-reflection-interval",
    breaks: imagePolicy("  digestReflectionPolicy: IfNotPresent", "  interval: 10m"),
    keeps: imagePolicy("  digestReflectionPolicy: IfNotPresent"),
  },
  {
    kind: "ImagePolicy",
    path: "spec",
    rule: "has(self.interval) || !has(self.digestReflectionPolicy) || self.digestReflectionPolicy != 'Always'",
    code: "digest-reflection-interval",
    breaks: imagePolicy("  digestReflectionPolicy: Always"),
    keeps: imagePolicy("  digestReflectionPolicy: Always", "  interval: 10m"),
  },
];

const UNCHECKED: Unchecked[] = [
  {
    kind: "Bucket",
    path: "spec",
    rule: "self.provider != 'generic' || !has(self.serviceAccountName)",
    // `provider` defaults to generic.
    breaks: bucket("  serviceAccountName: bucket-reader"),
  },
  {
    kind: "Bucket",
    path: "spec",
    rule: "!has(self.secretRef) || !has(self.serviceAccountName)",
    breaks: bucket(
      "  provider: aws",
      "  serviceAccountName: bucket-reader",
      "  secretRef:",
      "    name: bucket-login",
    ),
  },
];

const key = (kind: string, at: string, rule: string): string =>
  `${kind} ${at}: ${rule}`;

/** Every CEL rule of the served versions of the kinds we have a schema for, by key. */
function celRulesOfOurKinds(): Map<string, Cel> {
  const fingerprint = JSON.parse(
    readFileSync(FINGERPRINT, "utf8"),
  ) as Fingerprint;
  const ours = readdirSync(path.join(ROOT, "schemas"))
    .filter((f) => f.endsWith(".json"))
    .map(
      (f) =>
        JSON.parse(readFileSync(path.join(ROOT, "schemas", f), "utf8")) as {
          apiVersion: string;
          kind: string;
        },
    );
  const rules = new Map<string, Cel>();
  const walk = (kind: string, node: Node, at: string): void => {
    for (const cel of node.cel ?? []) rules.set(key(kind, at, cel.rule), cel);
    for (const [name, child] of Object.entries(node.properties ?? {}))
      walk(kind, child, `${at}.${name}`);
    if (node.items) walk(kind, node.items, `${at}[]`);
    if (typeof node.additionalProperties === "object")
      walk(kind, node.additionalProperties, `${at}{*}`);
  };
  for (const schema of ours) {
    const slash = schema.apiVersion.lastIndexOf("/");
    const crd = fingerprint.crds.find(
      (c) =>
        c.kind === schema.kind && c.group === schema.apiVersion.slice(0, slash),
    );
    const served = crd?.served[schema.apiVersion.slice(slash + 1)];
    assert.ok(
      served,
      `no served ${schema.apiVersion} ${schema.kind} in ${FINGERPRINT}`,
    );
    walk(schema.kind, served.spec, "spec");
  }
  return rules;
}

describe("the CEL rules of the CRDs", () => {
  const rules = celRulesOfOurKinds();

  test("every CEL rule of a kind we have a schema for is listed, and no other", () => {
    assert.ok(rules.size > 0, "the fingerprint has CEL rules for our kinds");
    const listed = [...CHECKED, ...UNCHECKED].map((c) =>
      key(c.kind, c.path, c.rule),
    );
    assert.equal(new Set(listed).size, listed.length, "a rule is listed twice");
    const missing = [...rules]
      .filter(([k]) => !listed.includes(k))
      .map(
        ([k, cel]) =>
          `${k}  (the API server says: ${cel.message ?? "(no message)"})`,
      );
    const gone = listed.filter((k) => !rules.has(k));
    assert.deepEqual(
      missing,
      [],
      "CEL rules with no check of ours: list each in CHECKED (with its diagnostic) or UNCHECKED",
    );
    assert.deepEqual(gone, [], "listed rules that the CRDs no longer have");
  });

  for (const c of CHECKED) {
    test(`${key(c.kind, c.path, c.rule)}: ${c.code}`, () => {
      const says =
        rules.get(key(c.kind, c.path, c.rule))?.message ?? "(no message)";
      assert.deepEqual(
        [...new Set(codes(c.breaks))],
        [c.code],
        `a manifest the API server refuses ("${says}") gets ${c.code}, and only that`,
      );
      assert.deepEqual(
        codes(c.keeps),
        [],
        "a manifest that keeps the rule gets nothing",
      );
    });
  }

  test("the rules no diagnostic checks yet are still unchecked (move a rule to CHECKED once it is)", () => {
    for (const u of UNCHECKED) {
      console.log(
        `not checked yet: ${u.kind} ${u.path}: ${rules.get(key(u.kind, u.path, u.rule))?.message ?? u.rule}`,
      );
      assert.deepEqual(
        codes(u.breaks),
        [],
        `${u.kind} ${u.path}: ${u.rule} now gets a diagnostic`,
      );
    }
  });
});
