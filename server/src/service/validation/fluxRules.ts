import { createHash } from 'crypto';
import { isMap, isScalar, parseDocument, type Node } from 'yaml';
import { DiagnosticCodes } from '../codes';
import { ObjectView, span } from '../model/objectView';
import { closestMatch } from '../text/similarity';
import type { RawDiagnostic } from './rawDiagnostic';

/** What a rule sees: one parsed object of a Flux kind. */
export interface RuleContext {
  kind: string;
  view: ObjectView;
  /** The document is a kustomize patch: fields may be missing on purpose. */
  partial: boolean;
}

type Rule = (ctx: RuleContext) => RawDiagnostic[];

function at(node: Node | undefined, d: Omit<RawDiagnostic, 'start' | 'end'>): RawDiagnostic {
  const [start, end] = span(node);
  return { ...d, start, end };
}

/** CEL on HelmRelease `.spec`: exactly one of `chart` and `chartRef`. */
const chartOrChartRef: Rule = ({ kind, view, partial }) => {
  if (kind !== 'HelmRelease' || partial) return [];
  const chart = view.field(['spec', 'chart']);
  const chartRef = view.field(['spec', 'chartRef']);
  if (chart && chartRef) {
    const message = 'Set either `chart` or `chartRef`, not both: the API server rejects a HelmRelease with both.';
    return [chart, chartRef].map((f) => at(f.key, { code: DiagnosticCodes.chartOrChartRef, severity: 'error', message }));
  }
  const spec = view.field(['spec']);
  if (!chart && !chartRef && spec && isMap(spec.value)) {
    return [at(spec.key, { code: DiagnosticCodes.chartOrChartRef, severity: 'error', message: 'A HelmRelease needs `chart` (a chart from a HelmRepository, GitRepository or Bucket) or `chartRef` (an OCIRepository, HelmChart or ExternalArtifact).' })];
  }
  return [];
};

/** CEL on `install.strategy` / `upgrade.strategy`: `retryInterval` only with `RetryOnFailure`. */
const retryInterval: Rule = ({ kind, view }) => {
  if (kind !== 'HelmRelease') return [];
  const out: RawDiagnostic[] = [];
  for (const action of ['install', 'upgrade']) {
    const interval = view.field(['spec', action, 'strategy', 'retryInterval']);
    if (!interval) continue;
    const name = view.string(['spec', action, 'strategy', 'name']);
    // Without a name the strategy is already reported as missing its required field.
    if (name === undefined || name === 'RetryOnFailure') continue;
    out.push(at(interval.key, {
      code: DiagnosticCodes.retryIntervalStrategy,
      severity: 'error',
      message: `\`${action}.strategy.retryInterval\` can only be set when \`${action}.strategy.name\` is \`RetryOnFailure\`${name ? ` (it is \`${name}\`)` : ''}; the API server rejects it.`,
    }));
  }
  return out;
};

/** CEL on `kubeConfig`: exactly one of `secretRef` and `configMapRef`. */
const kubeConfigRef: Rule = ({ kind, view }) => {
  if (kind !== 'HelmRelease' && kind !== 'Kustomization') return [];
  const kubeConfig = view.field(['spec', 'kubeConfig']);
  if (!kubeConfig || !isMap(kubeConfig.value)) return [];
  const secret = view.field(['spec', 'kubeConfig', 'secretRef']);
  const configMap = view.field(['spec', 'kubeConfig', 'configMapRef']);
  if (secret && configMap) {
    return [secret, configMap].map((f) => at(f.key, { code: DiagnosticCodes.kubeConfigRef, severity: 'error', message: '`kubeConfig` takes exactly one of `secretRef` and `configMapRef`, not both.' }));
  }
  if (!secret && !configMap) {
    return [at(kubeConfig.key, { code: DiagnosticCodes.kubeConfigRef, severity: 'error', message: '`kubeConfig` needs one of `secretRef` (a Secret with a kubeconfig) or `configMapRef` (a ConfigMap for workload identity).' })];
  }
  return [];
};

/** CEL on GitRepository `.spec`: `serviceAccountName` only with provider azure or aws. */
const gitServiceAccount: Rule = ({ kind, view }) => {
  if (kind !== 'GitRepository') return [];
  const account = view.field(['spec', 'serviceAccountName']);
  if (!account) return [];
  const provider = view.string(['spec', 'provider']);
  if (provider === 'azure' || provider === 'aws') return [];
  return [at(account.key, { code: DiagnosticCodes.serviceAccountProvider, severity: 'error', message: `\`serviceAccountName\` can only be set when \`provider\` is \`azure\` or \`aws\`${provider ? ` (it is \`${provider}\`)` : ''}; the API server rejects it.` })];
};

/** CEL on HelmChart `.spec`: `verify` only for charts from a HelmRepository. */
const helmChartVerify: Rule = ({ kind, view }) => {
  if (kind !== 'HelmChart') return [];
  const verify = view.field(['spec', 'verify']);
  const sourceKind = view.string(['spec', 'sourceRef', 'kind']);
  if (!verify || sourceKind === undefined || sourceKind === 'HelmRepository') return [];
  return [at(verify.key, { code: DiagnosticCodes.verifySourceKind, severity: 'error', message: `\`verify\` is only supported when \`sourceRef.kind\` is \`HelmRepository\` (it is \`${sourceKind}\`).` })];
};

/** CEL on Bucket `.spec`: which STS providers go with which bucket providers. */
const bucketSts: Rule = ({ kind, view }) => {
  if (kind !== 'Bucket') return [];
  const sts = view.field(['spec', 'sts']);
  if (!sts) return [];
  // The CRD defaults `provider` to `generic` before the rules are evaluated.
  const provider = view.string(['spec', 'provider']) ?? 'generic';
  const stsProvider = view.string(['spec', 'sts', 'provider']);
  const out: RawDiagnostic[] = [];
  const error = (node: Node | undefined, message: string) => out.push(at(node, { code: DiagnosticCodes.bucketSts, severity: 'error', message }));
  if (provider !== 'aws' && provider !== 'generic') {
    error(sts.key, `\`sts\` is only supported for the \`aws\` and \`generic\` bucket providers (this bucket uses \`${provider}\`).`);
    return out;
  }
  const stsProviderNode = view.field(['spec', 'sts', 'provider'])?.value ?? sts.key;
  if (provider === 'aws' && stsProvider !== undefined && stsProvider !== 'aws') error(stsProviderNode, 'With the `aws` bucket provider, `sts.provider` must be `aws`.');
  if (provider === 'generic' && stsProvider !== undefined && stsProvider !== 'ldap') error(stsProviderNode, 'With the `generic` bucket provider, `sts.provider` must be `ldap`.');
  if (stsProvider === 'aws') {
    for (const field of ['secretRef', 'certSecretRef']) {
      const f = view.field(['spec', 'sts', field]);
      if (f) error(f.key, `\`sts.${field}\` is not used with the \`aws\` STS provider; remove it.`);
    }
  }
  return out;
};

/** Kubernetes object names (DNS-1123 subdomain), as the ArtifactGenerator CEL rule matches them. */
const OBJECT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** CEL on ArtifactGenerator `.spec`: without `pathPattern`, each artifact name is an object name. */
const artifactNames: Rule = ({ kind, view, partial }) => {
  // A patch without `pathPattern` may change an object whose base sets it.
  if (kind !== 'ArtifactGenerator' || (partial && !view.has(['spec', 'pathPattern']))) return [];
  // With a pattern, names may hold placeholders such as `{app}`.
  if ((view.string(['spec', 'pathPattern']) ?? '') !== '') return [];
  const out: RawDiagnostic[] = [];
  view.items(['spec', 'artifacts']).forEach((_, index) => {
    const name = view.string(['spec', 'artifacts', index, 'name']);
    if (name === undefined || name === '' || name.includes('${') || OBJECT_NAME.test(name)) return;
    const placeholder = /\{[^}]*\}/.test(name);
    out.push(at(view.field(['spec', 'artifacts', index, 'name'])?.value, {
      code: DiagnosticCodes.artifactName,
      severity: 'error',
      message: placeholder
        ? `\`${name}\` uses a placeholder, which only works with \`spec.pathPattern\`; without it the name must be a valid object name (lowercase letters, digits, \`-\` and \`.\`). The API server rejects it.`
        : `\`${name}\` is not a valid object name for the ExternalArtifact (lowercase letters, digits, \`-\` and \`.\`, starting and ending with a letter or digit). The API server rejects it.`,
    }));
  });
  return out;
};

/** `@alias` at the start of an ArtifactGenerator path (`@repo/deploy/**`, `@repo`). */
const ALIAS_REF = /^@([a-z0-9]([a-z0-9_-]*[a-z0-9])?)(?=\/|$)/;

/**
 * ArtifactGenerator: every `@alias` used in `pathPattern`, `copy[].from`, `revision` and
 * `originRevision` must be the alias of one of `sources`, and aliases must be unique; source-watcher
 * cannot build the artifact otherwise.
 */
const sourceAliases: Rule = ({ kind, view, partial }) => {
  if (kind !== 'ArtifactGenerator') return [];
  const out: RawDiagnostic[] = [];
  const aliases = new Set<string>();
  view.items(['spec', 'sources']).forEach((_, index) => {
    const alias = view.string(['spec', 'sources', index, 'alias']);
    if (alias === undefined || alias.includes('${')) return;
    if (aliases.has(alias)) {
      out.push(at(view.field(['spec', 'sources', index, 'alias'])?.value, { code: DiagnosticCodes.sourceAlias, severity: 'error', message: `The alias \`${alias}\` is already used by another source; each source needs its own alias.` }));
    }
    aliases.add(alias);
  });
  // A patch may change the artifacts without repeating the sources.
  if (partial && !view.has(['spec', 'sources'])) return out;
  const check = (path: Array<string | number>): void => {
    const node = view.field(path)?.value;
    const value = view.string(path);
    if (!isScalar(node) || value === undefined || value.includes('${')) return;
    const match = ALIAS_REF.exec(value);
    const alias = match?.[1];
    if (alias === undefined || aliases.has(alias)) return;
    const suggestion = closestMatch(alias, [...aliases]);
    const [start, end] = span(node);
    // Point at the alias itself when the text is the value as written (plain, or quoted without escapes).
    const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE' ? 1 : 0;
    const exact = (node.type === 'PLAIN' || quoted === 1) && end - start === value.length + 2 * quoted;
    const known = aliases.size > 0 ? `the sources are ${[...aliases].map((a) => `\`${a}\``).join(', ')}` : 'no source has an alias';
    out.push({
      code: DiagnosticCodes.sourceAlias,
      severity: 'error',
      message: `\`@${alias}\` names no source of this ArtifactGenerator (${known}).${suggestion ? ` Did you mean \`${suggestion}\`?` : ''}`,
      start: exact ? start + quoted + 1 : start,
      end: exact ? start + quoted + 1 + alias.length : end,
      data: exact && suggestion ? { suggestion } : undefined,
    });
  };
  check(['spec', 'pathPattern']);
  view.items(['spec', 'artifacts']).forEach((_, index) => {
    check(['spec', 'artifacts', index, 'revision']);
    check(['spec', 'artifacts', index, 'originRevision']);
    view.items(['spec', 'artifacts', index, 'copy']).forEach((__, step) => check(['spec', 'artifacts', index, 'copy', step, 'from']));
  });
  return out;
};

/** Kustomization `spec.patches[]`: a JSON 6902 patch (a list of operations) needs a `target`; kustomize fails the build without one. */
const jsonPatchTarget: Rule = ({ kind, view }) => {
  if (kind !== 'Kustomization') return [];
  const out: RawDiagnostic[] = [];
  view.items(['spec', 'patches']).forEach((item, index) => {
    if (!isMap(item) || view.has(['spec', 'patches', index, 'target'])) return;
    const patch = view.string(['spec', 'patches', index, 'patch']);
    if (patch === undefined || patch.includes('${')) return;
    let operations = false;
    try {
      const doc = parseDocument(patch, { prettyErrors: false });
      operations = doc.errors.length === 0 && Array.isArray(doc.toJS({ maxAliasCount: 100 }));
    } catch {
      return;
    }
    if (!operations) return;
    out.push(at(view.field(['spec', 'patches', index, 'patch'])?.key, {
      code: DiagnosticCodes.jsonPatchTarget,
      severity: 'error',
      message: 'This patch is a list of JSON 6902 operations, which needs a `target` (e.g. `kind: Deployment` and `name`); kustomize fails the build with "must specify a target for JSON patch".',
    }));
  });
  return out;
};

/** What kustomize-controller refuses as a component: anything that is not a local relative path. */
const REMOTE_COMPONENT = /^(?:https?:\/\/|ssh:\/\/|git::|gh:|git@|github\.com|\/)/;

/** Kustomization `spec.components[]`: local relative paths only; the build fails otherwise. */
const componentPaths: Rule = ({ kind, view }) => {
  if (kind !== 'Kustomization') return [];
  const out: RawDiagnostic[] = [];
  for (const item of view.items(['spec', 'components'])) {
    if (!isScalar(item) || typeof item.value !== 'string' || item.value.includes('${') || !REMOTE_COMPONENT.test(item.value)) continue;
    out.push(at(item, {
      code: DiagnosticCodes.componentPath,
      severity: 'error',
      message: `\`${item.value}\` is not a local relative path: Flux builds components only from the artifact, relative to \`spec.path\` (e.g. \`../components/monitoring\`), and fails the build with "component path '${item.value}' must be local and relative".`,
    }));
  }
  return out;
};

/** Milliseconds of a Go duration written with units (`1m30s`, `500ms`); undefined when it is not one. */
function durationMs(text: string): number | undefined {
  if (!/^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/.test(text)) return undefined;
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  for (const m of text.matchAll(/([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)/g)) total += Number(m[1]) * unit[m[2]!]!;
  return total;
}

/** Kustomization `spec.timeout`: kustomize-controller raises anything under 30 seconds to 30 seconds. */
const shortTimeout: Rule = ({ kind, view }) => {
  if (kind !== 'Kustomization') return [];
  const timeout = view.string(['spec', 'timeout']);
  const ms = timeout === undefined ? undefined : durationMs(timeout);
  if (ms === undefined || ms >= 30_000) return [];
  return [at(view.field(['spec', 'timeout'])?.value, { code: DiagnosticCodes.shortTimeout, severity: 'hint', message: `Flux raises a Kustomization timeout under 30 seconds to \`30s\`, so \`${timeout}\` behaves as \`30s\`.` })];
};

/** HelmRepository: the URL scheme and `type` must agree, or Flux fails at run time. */
const ociUrlType: Rule = ({ kind, view }) => {
  if (kind !== 'HelmRepository') return [];
  const url = view.string(['spec', 'url']);
  const urlNode = view.field(['spec', 'url'])?.value;
  if (url === undefined || url.includes('${')) return [];
  const type = view.string(['spec', 'type']);
  const isOciUrl = url.startsWith('oci://');
  if (type === 'oci' && !isOciUrl) {
    return [at(urlNode, { code: DiagnosticCodes.ociUrlType, severity: 'error', message: 'With `type: oci` the URL must start with `oci://`; Flux fails to fetch charts with "invalid OCI registry URL".' })];
  }
  if (type !== 'oci' && isOciUrl) {
    return [at(urlNode, { code: DiagnosticCodes.ociUrlType, severity: 'error', message: 'An `oci://` URL needs `type: oci`; without it Flux stalls the repository with "\'oci\' URL scheme cannot be used with \'default\' HelmRepository type".', data: { fix: 'add-type-oci' } })];
  }
  return [];
};

/** Fields the API server stores but Flux does not use. */
const ignoredFields: Rule = ({ kind, view }) => {
  const out: RawDiagnostic[] = [];
  if (kind === 'HelmRelease') {
    const sourceKind = view.string(['spec', 'chart', 'spec', 'sourceRef', 'kind']);
    const version = view.field(['spec', 'chart', 'spec', 'version']);
    if (version && (sourceKind === 'GitRepository' || sourceKind === 'Bucket')) {
      out.push(at(version.key, {
        code: DiagnosticCodes.ignoredField,
        severity: 'warning',
        message: `\`version\` is ignored for charts from a ${sourceKind}: Flux uses the chart at \`chart\` in the source as it is. Use \`reconcileStrategy: Revision\` to upgrade on every new revision.`,
        data: { fix: 'remove' },
      }));
    }
  }
  if (kind === 'Kustomization' && view.bool(['spec', 'wait']) === true) {
    const healthChecks = view.field(['spec', 'healthChecks']);
    if (healthChecks) {
      out.push(at(healthChecks.key, { code: DiagnosticCodes.ignoredField, severity: 'warning', message: 'With `wait: true` Flux checks the health of every object it applies and ignores `healthChecks`. Remove one of the two.', data: { fix: 'remove' } }));
    }
  }
  if (kind === 'HelmRepository' && view.string(['spec', 'type']) === 'oci') {
    const interval = view.field(['spec', 'interval']);
    if (interval) {
      out.push(at(interval.key, { code: DiagnosticCodes.ignoredField, severity: 'hint', message: 'Flux ignores `interval` for an OCI HelmRepository: it has no index to refresh. Each HelmRelease polls the registry at its own `chart.spec.interval`.', data: { fix: 'remove', unnecessary: true } }));
    }
  }
  return out;
};

/** Deprecated HelmRelease fields that current helm-controller no longer reads. */
const deprecatedFields: Rule = ({ kind, view }) => {
  if (kind !== 'HelmRelease') return [];
  const out: RawDiagnostic[] = [];
  const skipCRDs = view.field(['spec', 'install', 'skipCRDs']);
  if (skipCRDs) {
    const on = view.bool(['spec', 'install', 'skipCRDs']) === true;
    out.push(at(skipCRDs.key, {
      code: DiagnosticCodes.deprecatedField,
      severity: 'hint',
      message: on ? '`install.skipCRDs` is deprecated and no longer read: CRDs are still created. Use `install.crds: Skip`.' : '`install.skipCRDs` is deprecated and has no effect; remove it (the CRD policy is `install.crds`).',
      data: { fix: on && !view.has(['spec', 'install', 'crds']) ? 'replace-skipcrds' : 'remove', deprecated: true },
    }));
  }
  const recreate = view.field(['spec', 'rollback', 'recreate']);
  if (recreate) {
    out.push(at(recreate.key, { code: DiagnosticCodes.deprecatedField, severity: 'hint', message: '`rollback.recreate` is deprecated and has no effect since Flux moved to the Helm 4 SDK; remove it.', data: { fix: 'remove', deprecated: true } }));
  }
  return out;
};

/** A release that depends on itself never becomes ready. */
const selfDependency: Rule = ({ kind, view }) => {
  if (kind !== 'HelmRelease' && kind !== 'Kustomization') return [];
  const name = view.string(['metadata', 'name']);
  const namespace = view.string(['metadata', 'namespace']);
  if (!name) return [];
  const out: RawDiagnostic[] = [];
  view.items(['spec', 'dependsOn']).forEach((item, index) => {
    if (!isMap(item)) return;
    const depName = view.string(['spec', 'dependsOn', index, 'name']);
    const depNamespace = view.string(['spec', 'dependsOn', index, 'namespace']);
    if (depName === name && (depNamespace === undefined || depNamespace === namespace)) {
      out.push(at(view.field(['spec', 'dependsOn', index, 'name'])?.value, { code: DiagnosticCodes.selfDependency, severity: 'error', message: `\`${name}\` depends on itself: Flux waits for it to be ready before ${kind === 'HelmRelease' ? 'installing' : 'applying'} it, so it never reconciles.` }));
    }
  });
  return out;
};

/** Helm limits release names to 53 characters; Flux shortens a longer derived name with a hash. */
const releaseNameLength: Rule = ({ kind, view }) => {
  if (kind !== 'HelmRelease' || view.has(['spec', 'releaseName'])) return [];
  const name = view.string(['metadata', 'name']);
  const target = view.string(['spec', 'targetNamespace']);
  if (!name || name.includes('${') || target?.includes('${')) return [];
  const derived = target ? `${target}-${name}` : name;
  if (derived.length <= 53) return [];
  const hash = createHash('sha256').update(derived).digest('hex').slice(0, 12);
  const shortened = `${derived.slice(0, 40)}-${hash}`;
  const node = view.field(['spec', 'targetNamespace'])?.key ?? view.field(['metadata', 'name'])?.value;
  return [at(node, {
    code: DiagnosticCodes.releaseNameTooLong,
    severity: 'warning',
    message: `The Helm release name Flux derives, \`${derived}\`, has ${derived.length} characters; Helm allows 53, so Flux will name the release \`${shortened}\`. Set \`spec.releaseName\` to choose a readable name.`,
  })];
};

/** `literal` only changes how a `targetPath` value is read. */
const literalWithoutTargetPath: Rule = ({ kind, view }) => {
  if (kind !== 'HelmRelease') return [];
  const out: RawDiagnostic[] = [];
  view.items(['spec', 'valuesFrom']).forEach((_, index) => {
    const literal = view.field(['spec', 'valuesFrom', index, 'literal']);
    if (literal && view.bool(['spec', 'valuesFrom', index, 'literal']) === true && !view.has(['spec', 'valuesFrom', index, 'targetPath'])) {
      out.push(at(literal.key, { code: DiagnosticCodes.literalWithoutTargetPath, severity: 'warning', message: '`literal` has no effect without `targetPath`: the whole key is read as a YAML values document and merged at the root.', data: { fix: 'remove' } }));
    }
  });
  return out;
};

/** Provider types that post commit statuses: the only ones `commitStatusExpr` is for (CEL on Provider `.spec`). */
const COMMIT_STATUS_TYPES = ['github', 'gitlab', 'gitea', 'bitbucketserver', 'bitbucket', 'azuredevops'];

const commitStatusExpr: Rule = ({ kind, view }) => {
  if (kind !== 'Provider') return [];
  // A field without a value is pruned by the API server before the rules run.
  const expr = view.has(['spec', 'commitStatusExpr']) ? view.field(['spec', 'commitStatusExpr']) : undefined;
  const type = view.string(['spec', 'type']);
  if (!expr || type === undefined || type.includes('${') || COMMIT_STATUS_TYPES.includes(type)) return [];
  return [at(expr.key, {
    code: DiagnosticCodes.commitStatusExpr,
    severity: 'error',
    message: `\`commitStatusExpr\` is only for the commit-status provider types (${COMMIT_STATUS_TYPES.map((t) => `\`${t}\``).join(', ')}); this Provider is \`${type}\`. The API server rejects it.`,
    data: { fix: 'remove' },
  })];
};

/** CEL on Receiver `.spec`: `generic-oidc` authenticates with `oidcProviders`, every other type with `secretRef`. */
const receiverAuth: Rule = ({ kind, view, partial }) => {
  if (kind !== 'Receiver') return [];
  const type = view.string(['spec', 'type']);
  if (type === undefined || type.includes('${')) return [];
  const typeNode = view.field(['spec', 'type'])?.value;
  const secretRef = view.has(['spec', 'secretRef']) ? view.field(['spec', 'secretRef']) : undefined;
  const providers = view.field(['spec', 'oidcProviders']);
  const providerCount = view.items(['spec', 'oidcProviders']).length;
  const out: RawDiagnostic[] = [];
  const error = (node: Node | undefined, message: string, fix?: string) => out.push(at(node, { code: DiagnosticCodes.receiverAuth, severity: 'error', message, data: fix ? { fix } : undefined }));
  if (type === 'generic-oidc') {
    if (secretRef) error(secretRef.key, 'A `generic-oidc` Receiver authenticates callers by their OIDC token: `secretRef` must not be set. The API server rejects it.', 'remove');
    if (!partial && providerCount === 0) error(providers?.key ?? typeNode, 'A `generic-oidc` Receiver needs at least one entry in `oidcProviders` (the issuers whose tokens are accepted).');
  } else {
    if (providers && providerCount > 0) error(providers.key, `\`oidcProviders\` is only for \`type: generic-oidc\` (this Receiver is \`${type}\`). The API server rejects it.`);
    if (!partial && !secretRef) error(typeNode, `A \`${type}\` Receiver needs \`secretRef\`: a Secret whose \`token\` authenticates the calls.`);
  }
  return out;
};

/** CEL on ImagePolicy `.spec`: `interval` goes with `digestReflectionPolicy: Always`, and only with it. */
const digestReflectionInterval: Rule = ({ kind, view, partial }) => {
  if (kind !== 'ImagePolicy') return [];
  const interval = view.has(['spec', 'interval']) ? view.field(['spec', 'interval']) : undefined;
  const policy = view.string(['spec', 'digestReflectionPolicy']);
  if (policy?.includes('${')) return [];
  if (interval && policy !== 'Always') {
    return [at(interval.key, {
      code: DiagnosticCodes.digestReflectionInterval,
      severity: 'error',
      message: `\`interval\` is only accepted with \`digestReflectionPolicy: Always\` (${policy === undefined ? 'it is not set: the default is `Never`' : `it is \`${policy}\``}). The API server rejects it.`,
      data: { fix: 'remove' },
    })];
  }
  if (!interval && policy === 'Always' && !partial) {
    return [at(view.field(['spec', 'digestReflectionPolicy'])?.value, { code: DiagnosticCodes.digestReflectionInterval, severity: 'error', message: 'With `digestReflectionPolicy: Always`, `interval` must be set (how often the digest is looked up again, e.g. `10m`).' })];
  }
  return [];
};

/** Fields the notification API v1beta3 marks deprecated. */
const notificationDeprecated: Rule = ({ kind, view }) => {
  const out: RawDiagnostic[] = [];
  const hint = (path: string[], message: string, fix?: string) => {
    const field = view.field(path);
    if (field) out.push(at(field.key, { code: DiagnosticCodes.deprecatedField, severity: 'hint', message, data: { deprecated: true, ...(fix ? { fix } : {}) } }));
  };
  if (kind === 'Alert') hint(['spec', 'summary'], '`summary` is deprecated in v1beta3: put the text in `eventMetadata` under a `summary` key.');
  if (kind === 'Provider') {
    hint(['spec', 'interval'], '`interval` is deprecated in v1beta3 and not read by notification-controller; remove it.', 'remove');
    hint(['spec', 'proxy'], '`proxy` is deprecated: put the proxy `address` (and `username`/`password`) in a Secret named by `proxySecretRef`.');
  }
  return out;
};

/**
 * ImageUpdateAutomation commit message templates: Flux 2.7 (image-automation-controller 1.0) dropped
 * `.Updated` and `.Changed.ImageResult`; a template using them fails when the commit is written.
 */
// Only at the root of the data (`.Updated`, `$.Updated`), not `.Values.Updated`.
const REMOVED_TEMPLATE_FIELDS = /(?<![\w)\]])\.(Updated|Changed\.ImageResult)(?!\w)/;
const commitTemplateFields: Rule = ({ kind, view }) => {
  if (kind !== 'ImageUpdateAutomation') return [];
  const template = view.string(['spec', 'git', 'commit', 'messageTemplate']);
  const match = template === undefined ? null : REMOVED_TEMPLATE_FIELDS.exec(template);
  if (!match) return [];
  return [at(view.field(['spec', 'git', 'commit', 'messageTemplate'])?.key, {
    code: DiagnosticCodes.commitTemplateField,
    severity: 'warning',
    message: `The commit message template uses \`.${match[1]}\`, which Flux 2.7 removed: image-automation-controller fails to render it when it commits. Use \`.Changed.FileChanges\`, \`.Changed.Objects\` or \`.Changed.Changes\`.`,
  })];
};

/** Alert `eventSources[]` and Receiver `resources[]`: `matchLabels` is only read when `name` is `*`. */
const matchLabelsWithName: Rule = ({ kind, view }) => {
  const list = kind === 'Alert' ? 'eventSources' : kind === 'Receiver' ? 'resources' : undefined;
  if (!list) return [];
  const out: RawDiagnostic[] = [];
  view.items(['spec', list]).forEach((_, index) => {
    const labels = view.field(['spec', list, index, 'matchLabels']);
    const name = view.string(['spec', list, index, 'name']);
    if (!labels || name === undefined || name === '*' || name.includes('${')) return;
    out.push(at(labels.key, {
      code: DiagnosticCodes.ignoredField,
      severity: 'warning',
      message: `\`matchLabels\` is only used when \`name\` is \`*\`; with \`name: ${name}\` notification-controller ignores it. Set \`name: "*"\` to select by labels, or remove it.`,
      data: { fix: 'remove' },
    }));
  });
  return out;
};

const RULES: Rule[] = [chartOrChartRef, retryInterval, kubeConfigRef, gitServiceAccount, helmChartVerify, bucketSts, artifactNames, sourceAliases, jsonPatchTarget, componentPaths, shortTimeout, ociUrlType, ignoredFields, deprecatedFields, selfDependency, releaseNameLength, literalWithoutTargetPath, commitStatusExpr, receiverAuth, digestReflectionInterval, notificationDeprecated, commitTemplateFields, matchLabelsWithName];

export function runFluxRules(ctx: RuleContext): RawDiagnostic[] {
  return RULES.flatMap((rule) => rule(ctx));
}
