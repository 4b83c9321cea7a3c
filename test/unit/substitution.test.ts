import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDocument } from 'yaml';
import type { Diagnostic } from 'vscode-languageserver-types';
import { FileModel } from '../../server/src/service/model/fileModel';
import { fileDiagnostics, hover, type FileContext } from '../../server/src/service/languageService';
import { evaluate, parseTemplate, type Lookup } from '../../server/src/service/substitution/envsubst';
import { readPostBuild, resolveVariables, type SourceLookup, type SubstitutingKustomization } from '../../server/src/service/substitution/variables';
import { SubstitutionResolver } from '../../server/src/service/substitution/resolver';
import { resetWorkCounts, workCounts } from '../../server/src/service/workCounts';
import { settings, withCursor, yaml } from '../helpers';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { LocalCharts } from '../../server/src/node/localCharts';

const vars = (values: Record<string, string | undefined>): Lookup => (name) => (name in values ? { value: values[name] } : undefined);

function substitute(text: string, values: Record<string, string | undefined>, strict = true): string {
  const parsed = parseTemplate(text);
  assert.ok(parsed.ok, `${text} should parse`);
  const result = evaluate(parsed.pieces, vars(values), strict);
  if (result.status === 'undefined') return `<undefined ${result.expression.name}>`;
  if (result.status === 'unknown') return '<unknown>';
  return result.value;
}

describe('envsubst: the forms Flux substitutes', () => {
  test('plain, default and escaped forms, with Flux semantics (a default replaces an empty value too)', () => {
    assert.equal(substitute('${a}-${b}', { a: 'x', b: 'y' }), 'x-y');
    assert.equal(substitute('${a:=3}', {}), '3');
    assert.equal(substitute('${a:-3}', { a: '' }), '3');
    assert.equal(substitute('${a=3}', { a: '' }), '3', 'unset and empty are the same for every default form');
    assert.equal(substitute('${a-3}', { a: '7' }), '7');
    assert.equal(substitute('${a:=${b}}', { b: 'nested' }), 'nested');
    assert.equal(substitute('$${a} and $$HOME', { a: 'x' }), '${a} and $HOME');
    assert.equal(substitute('$$${a}', { a: 'x' }), '$x', '`$$` is one literal `$`, then `${a}` is substituted');
    assert.equal(substitute('$a stays', {}), '$a stays', 'only the braced form is substituted');
  });

  test('string operators', () => {
    assert.equal(substitute('${v^}/${v^^}', { v: 'prod' }), 'Prod/PROD');
    assert.equal(substitute('${v,}/${v,,}', { v: 'PROD' }), 'pROD/prod');
    assert.equal(substitute('${#v}', { v: 'prod' }), '4');
    assert.equal(substitute('${v:1}|${v:1:2}', { v: 'production' }), 'roduction|ro');
    assert.equal(substitute('${v#*.}|${v##*.}', { v: 'a.b.c' }), 'b.c|c');
    assert.equal(substitute('${v%.*}|${v%%.*}', { v: 'a.b.c' }), 'a.b|a');
    assert.equal(substitute('${v/a/o}|${v//a/o}', { v: 'banana' }), 'bonana|bonono');
    assert.equal(substitute('${v/#ba/BA}|${v/%na/NA}', { v: 'banana' }), 'BAnana|banaNA');
  });

  test('strict mode: an undefined variable without a default fails; with a default it never does', () => {
    assert.equal(substitute('x-${missing}', {}), '<undefined missing>');
    assert.equal(substitute('${missing^^}', {}), '<undefined missing>');
    assert.equal(substitute('${missing:-fine}', {}), 'fine');
    assert.equal(substitute('x-${missing}', {}, false), 'x-', 'without strict mode it becomes empty');
  });

  test('a Secret value is never read: the result is unknown, not undefined', () => {
    assert.equal(substitute('${token}', { token: undefined }), '<unknown>');
  });

  test('expressions carry their offsets; malformed ones are errors with a range', () => {
    const parsed = parseTemplate('host-${cluster_name}.${domain:=example.com}');
    assert.ok(parsed.ok);
    assert.deepEqual(
      parsed.expressions.map((e) => [e.name, e.operator, e.start, e.end]),
      [
        ['cluster_name', 'value', 5, 20],
        ['domain', ':=', 21, 43],
      ],
    );
    const unclosed = parseTemplate('a ${b');
    assert.ok(!unclosed.ok && unclosed.error.start === 2 && /never closed/.test(unclosed.error.message));
    const bad = parseTemplate('${app.name}');
    assert.ok(!bad.ok && /bad substitution/.test(bad.error.message));
    const noName = parseTemplate('${{ x }}');
    assert.ok(!noName.ok && /variable name/.test(noName.error.message));
  });
});

describe('variables of a Kustomization', () => {
  const kustomization = (postBuild: string): SubstitutingKustomization => ({
    name: 'apps',
    namespace: 'flux-system',
    uri: 'file:///ws/clusters/apps.yaml',
    postBuild: readPostBuild(parseDocument(yaml('apiVersion: kustomize.toolkit.fluxcd.io/v1', 'kind: Kustomization', 'spec:', '  postBuild:', postBuild))),
  });
  const sources: Record<string, Record<string, string> | string[]> = {
    'ConfigMap/first': { region: 'eu', tier: 'one\ntwo' },
    'ConfigMap/second': { region: 'us', 'log-level': 'debug' },
    'Secret/creds': ['token'],
  };
  const lookup: SourceLookup = (kind, name) => {
    const found = sources[`${kind}/${name}`];
    if (!found) return undefined;
    return Array.isArray(found) ? { uri: `file:///ws/${name}.yaml`, keys: found } : { uri: `file:///ws/${name}.yaml`, keys: Object.keys(found), value: (k) => found[k] };
  };

  test('later substituteFrom entries win, inline substitute wins over all; newlines are removed; Secret values are not read', () => {
    const set = resolveVariables(
      kustomization(
        yaml('    substitute:', '      tier: inline', '    substituteFrom:', '      - kind: ConfigMap', '        name: first', '      - kind: ConfigMap', '        name: second', '      - kind: Secret', '        name: creds').trimEnd(),
      ),
      lookup,
    )!;
    assert.equal(set.variables.get('region')?.value, 'us');
    assert.equal(set.variables.get('region')?.from.name, 'second');
    assert.equal(set.variables.get('tier')?.value, 'inline');
    assert.equal(set.variables.get('token')?.value, undefined);
    assert.equal(set.variables.get('token')?.from.kind, 'Secret');
    assert.deepEqual(
      set.invalidNames.map((n) => n.key),
      ['log-level'],
    );
    assert.equal(set.complete, true);
  });

  test('a missing optional source adds nothing; a missing required one makes the set incomplete', () => {
    const optional = resolveVariables(kustomization(yaml('    substituteFrom:', '      - kind: ConfigMap', '        name: nowhere', '        optional: true').trimEnd()), lookup)!;
    assert.equal(optional.complete, true);
    assert.equal(optional.runs, false, 'WithVariables with no variable substitutes nothing');
    const required = resolveVariables(kustomization(yaml('    substituteFrom:', '      - kind: ConfigMap', '        name: nowhere').trimEnd()), lookup)!;
    assert.equal(required.complete, false);
    const first = resolveVariables(kustomization(yaml('    substituteFrom:', '      - kind: ConfigMap', '        name: first').trimEnd()), lookup)!;
    assert.equal(first.variables.get('tier')?.value, 'onetwo');
  });
});

const KS_URI = 'file:///ws/clusters/apps.yaml';
const RELEASE_URI = 'file:///ws/apps/release.yaml';

function kustomizationText(postBuild: string[]): string {
  return yaml('apiVersion: kustomize.toolkit.fluxcd.io/v1', 'kind: Kustomization', 'metadata:', '  name: apps', '  namespace: flux-system', 'spec:', '  interval: 10m', '  path: ./apps', '  prune: true', '  sourceRef:', '    kind: GitRepository', '    name: flux-system', '  postBuild:', ...postBuild);
}

/** A workspace of one Kustomization that applies the release file, and a ConfigMap it may name. */
function context(postBuild: string[], configMap: Record<string, string> = {}, revision = 1): { context: FileContext; resolver: SubstitutionResolver } {
  const doc = parseDocument(kustomizationText(postBuild));
  const kustomization: SubstitutingKustomization = { name: 'apps', namespace: 'flux-system', uri: KS_URI, postBuild: readPostBuild(doc) };
  const resolver = new SubstitutionResolver({
    applying: (uri) => (uri === RELEASE_URI ? [kustomization] : undefined),
    lookup: (kind, name) => (kind === 'ConfigMap' && name === 'cluster-vars' ? { uri: 'file:///ws/vars.yaml', keys: Object.keys(configMap), value: (k) => configMap[k] } : undefined),
    revisionOf: () => revision,
  });
  return { context: { uri: RELEASE_URI, substitutions: resolver }, resolver };
}

const release = (...spec: string[]) => yaml('apiVersion: helm.toolkit.fluxcd.io/v2', 'kind: HelmRelease', 'metadata:', '  name: podinfo', spec[0]?.startsWith('  annotations') || spec[0]?.startsWith('  labels') ? spec.shift()! : '', 'spec:', '  interval: 5m', '  chart:', '    spec:', '      chart: podinfo', '      version: ${CHART_VERSION:=6.x}', '      sourceRef:', '        kind: HelmRepository', '        name: podinfo', ...spec);

function problems(text: string, ctx: FileContext, options: unknown = {}): Diagnostic[] {
  const s = settings(options);
  return fileDiagnostics(FileModel.fromText(text, s.maxFileSize), s, ctx);
}

const message = (d: Diagnostic): string => (typeof d.message === 'string' ? d.message : d.message.value);
const summary = (ds: Diagnostic[]) => ds.map((d) => `${String(d.code)}@${d.range.start.line}:${d.range.start.character}`);

describe('substituted values are checked like written ones', () => {
  test('a variable that is not a duration, used as `timeout`, is reported on that line with the Kustomization named', () => {
    const { context: ctx } = context(['    substitute:', '      HELM_TIMEOUT: five minutes', '      GOOD_TIMEOUT: 10m']);
    const text = release('  timeout: ${HELM_TIMEOUT}');
    const found = problems(text, ctx);
    assert.deepEqual(summary(found), ['invalid-substituted-value@14:11']);
    assert.match(message(found[0]!), /`\$\{HELM_TIMEOUT\}` becomes `five minutes` when Kustomization flux-system\/apps applies it/);
    assert.match(message(found[0]!), /not a duration/);
    assert.deepEqual(problems(release('  timeout: ${GOOD_TIMEOUT}'), ctx), [], 'a defined, valid variable is not reported');
  });

  test('an undefined variable without a default is reported at the expression; with a default it is not', () => {
    const { context: ctx } = context(['    substitute:', '      region: eu']);
    const found = problems(release('  values:', '    host: app.${region}.${DOMAIN}'), ctx);
    assert.deepEqual(summary(found), ['undefined-variable@15:24']);
    assert.match(message(found[0]!), /`DOMAIN` is not defined by Kustomization flux-system\/apps/);
    assert.deepEqual(problems(release('  values:', '    host: app.${region}.${DOMAIN:=example.com}'), ctx), []);
  });

  test('in a block scalar (a script in the values), the undefined variable is found in its text; `$${HOME}` is left alone', () => {
    const { context: ctx } = context(['    substitute:', '      region: eu']);
    const text = release('  values:', '    script: |', '      echo $${HOME}', '      echo ${region} ${HOME}');
    const found = problems(text, ctx);
    assert.deepEqual(
      found.map((d) => `${String(d.code)}@${d.range.start.line}:${d.range.start.character}-${d.range.end.character}`),
      ['undefined-variable@17:21-28'],
    );
  });

  test('before Flux 2.9 substitution is not strict: an undefined variable becomes empty, and the empty value is checked', () => {
    const { context: ctx } = context(['    substitute:', '      region: eu']);
    assert.deepEqual(problems(release('  values:', '    host: ${DOMAIN}'), ctx, { fluxVersion: '2.8' }), []);
  });

  test('enum, integer and version constraint fields, from a ConfigMap', () => {
    const { context: ctx } = context(['    substituteFrom:', '      - kind: ConfigMap', '        name: cluster-vars'], { STRATEGY: 'rollforward', HISTORY: 'ten', CHART_VERSION: 'one.two' });
    const found = problems(release('  maxHistory: ${HISTORY}', '  upgrade:', '    remediation:', '      strategy: ${STRATEGY}'), ctx);
    assert.deepEqual(summary(found), ['invalid-substituted-value@10:15', 'invalid-substituted-value@14:14', 'invalid-substituted-value@17:16']);
    assert.match(message(found[0]!), /`CHART_VERSION` from ConfigMap `cluster-vars`/);
    assert.match(message(found[1]!), /must be an integer/);
    assert.match(message(found[2]!), /Allowed values: `rollback` or `uninstall`|Allowed values: `rollback`, `uninstall`/);
  });

  test('a chart value from a variable is checked against the chart\'s values.schema.json', () => {
    const root = path.resolve(__dirname, '../fixtures/schema-chart');
    const charts = new LocalCharts(() => [root]);
    const releaseUri = pathToFileURL(path.join(root, 'apps/release.yaml')).toString();
    const postBuild = readPostBuild(parseDocument(kustomizationText(['    substitute:', '      REPLICAS: three', '      PULL: Always'])));
    const resolver = new SubstitutionResolver({ applying: () => [{ name: 'apps', namespace: 'flux-system', uri: KS_URI, postBuild }], lookup: () => undefined, revisionOf: () => 0 });
    const ctx: FileContext = { uri: releaseUri, charts: (ref) => charts.lookup(ref), substitutions: resolver };
    const text = yaml('apiVersion: helm.toolkit.fluxcd.io/v2', 'kind: HelmRelease', 'metadata:', '  name: app', 'spec:', '  interval: 5m', '  chart:', '    spec:', '      chart: ./charts/podinfo', '      sourceRef: {kind: GitRepository, name: repo}', '  values:', '    replicaCount: ${REPLICAS}', '    image:', '      pullPolicy: ${PULL}');
    const found = problems(text, ctx);
    assert.deepEqual(summary(found), ['invalid-substituted-value@11:18']);
    assert.match(message(found[0]!), /`\$\{REPLICAS\}` becomes `three`.*values.schema.json of `podinfo`/);
  });

  test('kustomize writes `${N}` without quotes, so the result is read as YAML again even when quoted in the file', () => {
    const { context: ctx } = context(['    substitute:', '      HISTORY: "5"', '      A: a', '      B: b']);
    assert.deepEqual(problems(release('  maxHistory: ${HISTORY}'), ctx), []);
    assert.deepEqual(problems(release('  maxHistory: "${HISTORY}"'), ctx), []);
    // With `: ` inside, kustomize quotes the value: it stays a string.
    assert.deepEqual(summary(problems(release('  maxHistory: "${A}: ${B}"'), ctx)), ['invalid-substituted-value@14:14']);
  });

  test('the opt-out annotation or label turns substitution off for the object', () => {
    const { context: ctx } = context(['    substitute:', '      HELM_TIMEOUT: five minutes']);
    for (const optOut of ['  annotations:', '  labels:']) {
      const text = release(`${optOut}\n    kustomize.toolkit.fluxcd.io/substitute: disabled`, '  timeout: 5m', '  values:', '    a: ${HELM_TIMEOUT}', '    b: ${UNDEFINED}');
      assert.deepEqual(problems(text, ctx), [], optOut);
    }
  });

  test('with strategy WithVariables and no variables nothing is substituted; with Always strict mode applies', () => {
    const none = context(['    substituteFrom:', '      - kind: ConfigMap', '        name: team', '        optional: true']).context;
    assert.deepEqual(problems(release('  values:', '    a: ${UNDEFINED}'), none), []);
    const always = context(['    substituteStrategy: Always']).context;
    assert.deepEqual(summary(problems(release('  values:', '    a: ${UNDEFINED}'), always)), ['undefined-variable@15:7']);
  });

  test('a source that is not in the workspace may define anything: no undefined-variable then, but known values are still checked', () => {
    const { context: ctx } = context(['    substitute:', '      HELM_TIMEOUT: soon', '    substituteFrom:', '      - kind: Secret', '        name: made-elsewhere']);
    assert.deepEqual(summary(problems(release('  timeout: ${HELM_TIMEOUT}', '  values:', '    a: ${UNDEFINED}'), ctx)), ['invalid-substituted-value@14:11']);
  });

  test('without an applying Kustomization, nothing changes: `${VAR}` is not checked and not undefined', () => {
    const text = release('  timeout: ${HELM_TIMEOUT}', '  values:', '    a: ${UNDEFINED}', '    b: ${app.name}');
    assert.deepEqual(problems(text, { uri: RELEASE_URI }), []);
    assert.deepEqual(problems(text, { uri: 'file:///ws/other.yaml', substitutions: context([]).resolver }), []);
  });

  test('an expression Flux cannot parse is an error once a Kustomization substitutes the file', () => {
    const { context: ctx } = context(['    substitute:', '      region: eu']);
    const found = problems(release('  values:', '    a: ${app.name}'), ctx);
    assert.deepEqual(summary(found), ['invalid-substitution@15:7']);
    assert.match(message(found[0]!), /bad substitution/);
  });

  test('a value that breaks the YAML once pasted in is reported: Flux fails the build', () => {
    const { context: ctx } = context(['    substitute:', '      RANGE: ">= 1.0 <"']);
    const found = problems(release('  values:', '    range: ${RANGE}', '    quoted: "${RANGE}"'), ctx);
    assert.deepEqual(summary(found), ['invalid-substituted-value@15:11', 'invalid-substituted-value@16:12']);
    assert.match(message(found[0]!), /not valid YAML once pasted into the object/);
  });

  test('suppression comments silence substitution problems too', () => {
    const { context: ctx } = context(['    substitute:', '      region: eu']);
    assert.deepEqual(problems(release('  values:', '    # helmrelease-disable-next-line undefined-variable', '    a: ${UNDEFINED}'), ctx), []);
  });
});

describe('variable names Flux rejects', () => {
  test('a substitute key and a ConfigMap key that are not variable names are errors on the Kustomization', () => {
    const text = kustomizationText(['    substitute:', '      app.tier: web', '      good_name: x', '    substituteFrom:', '      - kind: ConfigMap', '        name: cluster-vars']);
    const { resolver } = context([], { 'log-level': 'debug', REGION: 'eu' });
    const found = problems(text, { uri: KS_URI, substitutions: resolver });
    assert.deepEqual(summary(found), ['invalid-variable-name@14:6', 'invalid-variable-name@18:14']);
    assert.match(message(found[0]!), /`app.tier` is not a valid variable name/);
    assert.match(message(found[1]!), /ConfigMap `cluster-vars` has the key `log-level`/);
    // Without the workspace, the substitute key is still reported.
    assert.deepEqual(summary(problems(text, {})), ['invalid-variable-name@14:6']);
  });
});

describe('hover on a substituted value', () => {
  test('shows each variable with its value and where it comes from; a Secret value is never shown', () => {
    const { context: ctx } = context(['    substitute:', '      region: eu', '    substituteFrom:', '      - kind: ConfigMap', '        name: cluster-vars'], { token: 'not-a-secret' });
    const marked = release('  values:', '    host: app.${reg|ion}.example.com');
    const { text, position } = withCursor(marked);
    const result = hover(FileModel.fromText(text), position, settings(), ctx);
    const value = result && typeof result.contents === 'object' && 'value' in result.contents ? result.contents.value : '';
    assert.match(value, /\*\*Kustomization flux-system\/apps\*\*/);
    assert.match(value, /`region` = `eu`, from its `spec.postBuild.substitute`/);
    assert.match(value, /the value becomes `app.eu.example.com`/);
  });

  test('a variable from a Secret: its origin, not its value', () => {
    const doc = parseDocument(kustomizationText(['    substituteFrom:', '      - kind: Secret', '        name: creds']));
    const kustomization: SubstitutingKustomization = { name: 'apps', namespace: 'flux-system', uri: KS_URI, postBuild: readPostBuild(doc) };
    const resolver = new SubstitutionResolver({ applying: () => [kustomization], lookup: () => ({ uri: 'file:///ws/creds.yaml', keys: ['token'] }), revisionOf: () => 0 });
    const { text, position } = withCursor(release('  values:', '    token: ${tok|en}'));
    const result = hover(FileModel.fromText(text), position, settings(), { uri: RELEASE_URI, substitutions: resolver });
    const value = result && typeof result.contents === 'object' && 'value' in result.contents ? result.contents.value : '';
    assert.match(value, /`token` = \(a Secret value, not shown\), from Secret `creds`/);
  });
});

describe('resolution is cached', () => {
  test('a Kustomization\'s variables are read once, and again only when a source it names changes', () => {
    let revision = 1;
    const doc = parseDocument(kustomizationText(['    substituteFrom:', '      - kind: ConfigMap', '        name: cluster-vars']));
    const kustomization: SubstitutingKustomization = { name: 'apps', namespace: 'flux-system', uri: KS_URI, postBuild: readPostBuild(doc) };
    let reads = 0;
    const resolver = new SubstitutionResolver({
      applying: () => [kustomization],
      lookup: () => {
        reads++;
        return { uri: 'file:///ws/vars.yaml', keys: ['a'], value: () => String(revision) };
      },
      revisionOf: () => revision,
    });
    resetWorkCounts();
    assert.equal(resolver.forFile(RELEASE_URI)?.sets[0]?.variables.get('a')?.value, '1');
    resolver.forFile(RELEASE_URI);
    resolver.forFile('file:///ws/apps/other.yaml');
    assert.equal(reads, 1);
    assert.equal(workCounts.variableSetsResolved, 1);
    revision = 2;
    assert.equal(resolver.forFile(RELEASE_URI)?.sets[0]?.variables.get('a')?.value, '2');
    assert.equal(reads, 2);
  });
});
