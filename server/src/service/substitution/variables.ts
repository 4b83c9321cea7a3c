import { isMap, isPair, isScalar, type Document, type Node } from 'yaml';
import { ObjectView } from '../model/objectView';
import { keyText } from '../model/yamlTree';
import { isValidVariableName } from './envsubst';

/** `spec.postBuild` of a Flux Kustomization, as written. Offsets are within the Kustomization's document. */
export interface PostBuild {
  substitute: Array<{ name: string; value: string; start: number; end: number }>;
  substituteFrom: Array<{ kind: 'ConfigMap' | 'Secret'; name: string; optional: boolean; start: number; end: number }>;
  strategy: 'WithVariables' | 'Always';
}

/** A Flux Kustomization that applies a file, with what it substitutes. */
export interface SubstitutingKustomization {
  name: string;
  namespace?: string;
  uri: string;
  /** Undefined when the Kustomization has no `postBuild`: then nothing is substituted. */
  postBuild?: PostBuild;
}

/** A ConfigMap or Secret that `substituteFrom` names, as found in the workspace. */
export interface VariableSource {
  uri: string;
  /** Its data keys; undefined when they cannot be known (a generator reading a missing file, `dataFrom`). */
  keys?: string[];
  /** The value under a key; never asked of a Secret. */
  value?: (key: string) => string | undefined;
}

export type SourceLookup = (kind: 'ConfigMap' | 'Secret', name: string, namespace: string | undefined) => VariableSource | undefined;

export interface Variable {
  name: string;
  /** Undefined for a Secret's key: its value is never read. */
  value?: string;
  /** Where the value comes from, for hover and messages: `substitute` or the ConfigMap/Secret. */
  from: { kind: 'substitute' | 'ConfigMap' | 'Secret'; name: string; uri: string };
}

/** The variables one Kustomization substitutes, merged in Flux's order. */
export interface VariableSet {
  kustomization: { name: string; namespace?: string; uri: string };
  variables: Map<string, Variable>;
  /** Every source was found with known keys: a variable missing here is really undefined. */
  complete: boolean;
  /** Whether Flux substitutes at all (strategy `WithVariables` with no variable leaves `${…}` as written). */
  runs: boolean;
  /** Keys of `substituteFrom` sources that are not valid variable names: the build fails on them. */
  invalidNames: Array<{ key: string; source: PostBuild['substituteFrom'][number] }>;
  /** Non-optional sources that are not in the workspace (they may be created outside Git). */
  missingSources: Array<PostBuild['substituteFrom'][number]>;
}

/** `spec.postBuild` of a Flux Kustomization document; undefined when it has none. */
export function readPostBuild(doc: Document): PostBuild | undefined {
  const view = new ObjectView(doc);
  if (!view.field(['spec', 'postBuild'])) return undefined;
  const postBuild: PostBuild = { substitute: [], substituteFrom: [], strategy: view.string(['spec', 'postBuild', 'substituteStrategy']) === 'Always' ? 'Always' : 'WithVariables' };
  const substitute = view.field(['spec', 'postBuild', 'substitute'])?.value;
  if (isMap(substitute)) {
    for (const pair of substitute.items) {
      if (!isPair(pair)) continue;
      const name = keyText(pair);
      const key = pair.key as Node | null;
      if (name === undefined || !key?.range) continue;
      const value = pair.value as Node | null;
      postBuild.substitute.push({ name, value: isScalar(value) && value.value !== null ? String(value.value) : '', start: key.range[0], end: key.range[1] });
    }
  }
  view.items(['spec', 'postBuild', 'substituteFrom']).forEach((item, i) => {
    const kind = view.string(['spec', 'postBuild', 'substituteFrom', i, 'kind']);
    const name = view.string(['spec', 'postBuild', 'substituteFrom', i, 'name']);
    const nameNode = view.field(['spec', 'postBuild', 'substituteFrom', i, 'name'])?.value;
    if ((kind !== 'ConfigMap' && kind !== 'Secret') || !name || !item.range) return;
    const at = nameNode?.range ?? item.range;
    postBuild.substituteFrom.push({ kind, name, optional: view.bool(['spec', 'postBuild', 'substituteFrom', i, 'optional']) === true, start: at[0], end: at[1] });
  });
  return postBuild;
}

/** Whether the object opted out of substitution: label or annotation `kustomize.toolkit.fluxcd.io/substitute: disabled`. */
export function substitutionDisabled(doc: Document): boolean {
  const view = new ObjectView(doc);
  return ['labels', 'annotations'].some((field) => view.string(['metadata', field, 'kustomize.toolkit.fluxcd.io/substitute']) === 'disabled');
}

/**
 * The variables of a Kustomization, as Flux merges them: `substituteFrom` in list order (a later
 * source wins), then `substitute` over all of them; newlines removed from every value.
 */
export function resolveVariables(kustomization: SubstitutingKustomization, lookup: SourceLookup): VariableSet | undefined {
  const postBuild = kustomization.postBuild;
  if (!postBuild) return undefined;
  const { name, namespace, uri } = kustomization;
  const set: VariableSet = { kustomization: { name, namespace, uri }, variables: new Map(), complete: true, runs: false, invalidNames: [], missingSources: [] };
  for (const source of postBuild.substituteFrom) {
    // Sources are read from the Kustomization's own namespace.
    const found = lookup(source.kind, source.name, namespace);
    if (!found) {
      // An optional source that is missing adds nothing; one made outside Git may hold anything.
      if (!source.optional) {
        set.complete = false;
        set.missingSources.push(source);
      }
      continue;
    }
    if (!found.keys) {
      set.complete = false;
      continue;
    }
    for (const key of found.keys) {
      if (!isValidVariableName(key)) {
        set.invalidNames.push({ key, source });
        continue;
      }
      const value = source.kind === 'ConfigMap' ? found.value?.(key) : undefined;
      set.variables.set(key, { name: key, value: value === undefined ? undefined : value.replace(/\n/g, ''), from: { kind: source.kind, name: source.name, uri: found.uri } });
    }
  }
  for (const entry of postBuild.substitute) {
    if (!isValidVariableName(entry.name)) continue; // reported on the Kustomization itself
    set.variables.set(entry.name, { name: entry.name, value: entry.value.replace(/\n/g, ''), from: { kind: 'substitute', name, uri } });
  }
  set.runs = postBuild.strategy === 'Always' || set.variables.size > 0 || !set.complete;
  return set;
}

/** How a Kustomization is named in messages: `flux-system/apps`. */
export function kustomizationLabel(k: { name: string; namespace?: string }): string {
  return k.namespace ? `${k.namespace}/${k.name}` : k.name;
}

/** Where a variable's value comes from, in words, within its Kustomization. */
export function describeOrigin(variable: Variable): string {
  if (variable.from.kind === 'substitute') return 'its `spec.postBuild.substitute`';
  return `${variable.from.kind} \`${variable.from.name}\` (\`substituteFrom\`)`;
}
