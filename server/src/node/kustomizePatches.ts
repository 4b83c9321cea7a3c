import { readFileSync, statSync } from 'fs';
import * as path from 'path';
import { parse } from 'yaml';

const KUSTOMIZATION_NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];
/** How many directories up from a file we look for the kustomization that patches it. */
const LEVELS_UP = 4;

interface Entry {
  mtimeMs: number;
  patches: Set<string>;
}

/**
 * Knows which files kustomizations list as patches (`patches[].path`, `patchesStrategicMerge`,
 * `patchesJson6902[].path`). The objects in such files are partial on purpose.
 */
export class KustomizePatches {
  private readonly cache = new Map<string, Entry | null>();

  isPatch(file: string): boolean {
    const absolute = path.resolve(file);
    let directory = path.dirname(absolute);
    for (let level = 0; level <= LEVELS_UP; level++) {
      for (const name of KUSTOMIZATION_NAMES) {
        if (this.patchesOf(path.join(directory, name))?.has(absolute)) return true;
      }
      const parent = path.dirname(directory);
      if (parent === directory) break;
      directory = parent;
    }
    return false;
  }

  /**
   * Whether a file holds partial objects: a kustomization near it lists it as a patch, or it sits in
   * a folder named like a patch folder (`patches/`, `patch/`), where files are partial by convention.
   */
  isPartial(file: string): boolean {
    return inPatchFolder(file) || this.isPatch(file);
  }

  /** Forget what we read, e.g. after a kustomization changed. */
  invalidate(file?: string): void {
    if (file) this.cache.delete(path.resolve(file));
    else this.cache.clear();
  }

  private patchesOf(kustomization: string): Set<string> | undefined {
    let mtimeMs: number;
    try {
      const stat = statSync(kustomization);
      if (!stat.isFile()) return undefined;
      mtimeMs = stat.mtimeMs;
    } catch {
      return undefined;
    }
    const cached = this.cache.get(kustomization);
    if (cached && cached.mtimeMs === mtimeMs) return cached.patches;
    const patches = readPatches(kustomization);
    this.cache.set(kustomization, { mtimeMs, patches });
    return patches;
  }
}

function readPatches(kustomization: string): Set<string> {
  const patches = new Set<string>();
  let content: unknown;
  try {
    content = parse(readFileSync(kustomization, 'utf8'));
  } catch {
    return patches; // unreadable or not YAML: it patches nothing we can know of
  }
  if (!content || typeof content !== 'object') return patches;
  const directory = path.dirname(kustomization);
  const add = (p: unknown) => {
    // Inline patches are YAML text, not paths; a path is one line ending in .yaml/.yml/.json.
    if (typeof p === 'string' && !p.includes('\n') && /\.(ya?ml|json)$/.test(p.trim())) patches.add(path.resolve(directory, p.trim()));
  };
  const doc = content as Record<string, unknown>;
  for (const key of ['patches', 'patchesJson6902']) {
    const list = doc[key];
    if (Array.isArray(list)) for (const item of list) if (item && typeof item === 'object') add((item as Record<string, unknown>).path);
  }
  const strategic = doc.patchesStrategicMerge;
  if (Array.isArray(strategic)) for (const item of strategic) add(item);
  return patches;
}

/** A file in a folder named like a kustomize patch folder. */
export function inPatchFolder(file: string): boolean {
  return path
    .dirname(path.resolve(file))
    .split(path.sep)
    .some((part) => /^(patch|patches)$/i.test(part));
}
