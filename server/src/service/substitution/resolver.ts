import { textHash } from '../text/hash';
import { workCounts } from '../workCounts';
import { resolveVariables, type SourceLookup, type SubstitutingKustomization, type VariableSet } from './variables';

/** The variables of the Kustomizations that apply a file, and a key that changes whenever they may have. */
export interface FileSubstitutions {
  key: string;
  sets: VariableSet[];
}

/** What diagnostics and hover ask about post-build substitution. */
export interface SubstitutionContext {
  /** The Kustomizations with `postBuild` that apply the file; undefined when none is known (then nothing changes). */
  forFile(uri: string): FileSubstitutions | undefined;
  /** The variables of one Kustomization (for the checks on the Kustomization itself). */
  forKustomization(kustomization: SubstitutingKustomization): { key: string; set: VariableSet } | undefined;
}

export interface SubstitutionSources {
  /** The Flux Kustomizations that apply a file (with or without postBuild); undefined when unknown. */
  applying(uri: string): SubstitutingKustomization[] | undefined;
  /** ConfigMaps and Secrets of the workspace that `substituteFrom` may name. */
  lookup: SourceLookup;
  /** Changes whenever objects named `name` change (the workspace index's revision of a name). */
  revisionOf(name: string): number | string;
}

const MAX_SETS = 512;

/**
 * Resolves and caches the variables of each Kustomization. A set is resolved again only when the
 * Kustomization's `postBuild` or one of the ConfigMaps/Secrets it names changed: typing in a
 * HelmRelease reads no Kustomization and no ConfigMap.
 */
export class SubstitutionResolver implements SubstitutionContext {
  private readonly sets = new Map<string, VariableSet | undefined>();

  constructor(private readonly sources: SubstitutionSources) {}

  forFile(uri: string): FileSubstitutions | undefined {
    const applying = this.sources.applying(uri)?.filter((k) => k.postBuild);
    if (!applying || applying.length === 0) return undefined;
    const sets: VariableSet[] = [];
    const keys: string[] = [];
    for (const kustomization of applying) {
      const found = this.forKustomization(kustomization);
      if (!found) continue;
      sets.push(found.set);
      keys.push(found.key);
    }
    return sets.length > 0 ? { key: textHash(keys.join('\n')), sets } : undefined;
  }

  forKustomization(kustomization: SubstitutingKustomization): { key: string; set: VariableSet } | undefined {
    const postBuild = kustomization.postBuild;
    if (!postBuild) return undefined;
    // Offsets do not change the variables: a line typed above the Kustomization keeps its set.
    const written = JSON.stringify([kustomization.name, kustomization.namespace ?? '', kustomization.uri, postBuild.strategy, postBuild.substitute.map((s) => [s.name, s.value]), postBuild.substituteFrom.map((s) => [s.kind, s.name, s.optional])]);
    const revisions = postBuild.substituteFrom.map((s) => this.sources.revisionOf(s.name)).join(',');
    const key = `${textHash(written)}:${revisions}`;
    if (!this.sets.has(key)) {
      workCounts.variableSetsResolved++;
      if (this.sets.size >= MAX_SETS) this.sets.clear();
      this.sets.set(key, resolveVariables(kustomization, this.sources.lookup));
    }
    const set = this.sets.get(key);
    return set ? { key, set } : undefined;
  }
}
