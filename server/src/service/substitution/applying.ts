import * as path from 'path';
import type { Document } from 'yaml';
import { ObjectView } from '../model/objectView';
import { readPostBuild, type SubstitutingKustomization } from './variables';

/**
 * Which Flux Kustomizations apply which files, worked out from their `spec.path` and the kustomize
 * `resources` tree, for callers that hold every file (the CLI). A Kustomization's path is read
 * relative to the workspace folder that holds it (the root of its Git repository).
 */

/** A Flux Kustomization found in a file, with its `spec.path`. */
export interface KustomizationWithPath extends SubstitutingKustomization {
  /** `spec.path` as written (empty for the root). */
  path: string;
  /** The file that defines it. */
  file: string;
}

/** The Flux Kustomization a document defines, with its path and postBuild; undefined for other documents. */
export function readFluxKustomization(doc: Document, uri: string, file: string): KustomizationWithPath | undefined {
  const view = new ObjectView(doc);
  const apiVersion = view.string(['apiVersion']) ?? '';
  if (view.string(['kind']) !== 'Kustomization' || !apiVersion.startsWith('kustomize.toolkit.fluxcd.io/')) return undefined;
  const name = view.string(['metadata', 'name']);
  if (!name || name.includes('${')) return undefined;
  return { name, namespace: view.string(['metadata', 'namespace']), uri, file: path.resolve(file), path: view.string(['spec', 'path']) ?? '', postBuild: readPostBuild(doc) };
}

export interface WorkspaceLayout {
  folders: string[];
  /** Every file of the workspace (absolute paths). */
  files: string[];
  /** Directories that hold a kustomization.yaml, with its resources (absolute paths). */
  kustomizations: Map<string, string[]>;
}

const MAX_DEPTH = 30;

/** For each file, the Flux Kustomizations that apply it. */
export function applyingMap(kustomizations: KustomizationWithPath[], layout: WorkspaceLayout): Map<string, SubstitutingKustomization[]> {
  const out = new Map<string, SubstitutingKustomization[]>();
  const folders = layout.folders.map((f) => path.resolve(f));
  for (const kustomization of kustomizations) {
    const folder = folders.filter((f) => kustomization.file.startsWith(f + path.sep)).sort((a, b) => b.length - a.length)[0];
    if (!folder) continue;
    // `..` cannot climb above the artifact root, and a leading `/` or `./` changes nothing.
    const relative = path.posix.normalize(`/${kustomization.path}`).replace(/^\/+/, '');
    const root = path.resolve(folder, relative);
    for (const file of appliedFiles(root, layout)) {
      const list = out.get(file) ?? [];
      list.push(kustomization);
      out.set(file, list);
    }
  }
  return out;
}

/** The files a build of `directory` includes: its kustomization's resources, else every YAML file below it. */
export function appliedFiles(directory: string, layout: WorkspaceLayout): Set<string> {
  const result = new Set<string>();
  const visited = new Set<string>();
  const isDirectory = (p: string) => layout.kustomizations.has(p) || layout.files.some((f) => f.startsWith(p + path.sep));
  const visit = (dir: string, depth: number) => {
    if (depth > MAX_DEPTH || visited.has(dir)) return;
    visited.add(dir);
    const resources = layout.kustomizations.get(dir);
    if (resources) {
      for (const resource of resources) {
        if (isDirectory(resource)) visit(resource, depth + 1);
        else result.add(resource);
      }
      return;
    }
    // No kustomization.yaml: Flux generates one with every YAML file, and each sub-directory holding a kustomization as one resource.
    for (const file of layout.files) {
      if (!file.startsWith(dir + path.sep) || !/\.ya?ml$/.test(file)) continue;
      let inner: string | undefined;
      for (let d = path.dirname(file); d.length > dir.length; d = path.dirname(d)) if (layout.kustomizations.has(d)) inner = d;
      if (inner) visit(inner, depth + 1);
      else result.add(file);
    }
  };
  visit(path.resolve(directory), 0);
  return result;
}
