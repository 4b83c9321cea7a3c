import type { SourceLookup } from '../service/substitution/variables';
import type { WorkspaceIndex } from '../service/workspace/workspaceIndex';
import { configMapEntries } from './configMapContent';

/**
 * The ConfigMaps and Secrets `substituteFrom` names, found through the workspace index: a
 * ConfigMap's keys and values (manifests and kustomize generators, open editor text first), a
 * Secret's keys only. Secret values are never read.
 */
export function workspaceSourceLookup(index: WorkspaceIndex, textOf: (uri: string) => string | undefined): SourceLookup {
  return (kind, name, namespace) => {
    const object = index.find(kind, name, namespace);
    if (!object) return undefined;
    if (kind === 'Secret') return { uri: object.uri, keys: object.keys };
    const entries = configMapEntries(object, textOf);
    return { uri: object.uri, keys: entries ? Object.keys(entries) : undefined, value: (key) => entries?.[key] };
  };
}
