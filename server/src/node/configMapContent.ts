import { readFileSync } from 'fs';
import * as path from 'path';
import { fileURLToPath } from 'url';
import { parseAllDocuments } from 'yaml';
import type { ObjectRecord } from '../service/workspace/types';

/**
 * The text under one key of a ConfigMap found in the workspace: a manifest's `data`, or a kustomize
 * generator's `files` / `literals`. Secrets are never read. `textOf` gives open editor text first.
 */
export function configMapData(object: ObjectRecord, key: string, textOf: (uri: string) => string | undefined): string | undefined {
  if (object.kind !== 'ConfigMap') return undefined;
  let file: string;
  try {
    file = fileURLToPath(object.uri);
  } catch {
    return undefined;
  }
  const text = textOf(object.uri) ?? safeRead(file);
  if (text === undefined) return undefined;
  for (const doc of parseAllDocuments(text)) {
    const value = doc.toJS({ maxAliasCount: 100 }) as Record<string, unknown> | null;
    if (!value || typeof value !== 'object') continue;
    if (object.origin === 'configMapGenerator') {
      const generators = Array.isArray(value.configMapGenerator) ? (value.configMapGenerator as Array<Record<string, unknown>>) : [];
      const generator = generators.find((g) => g?.name === object.name);
      if (!generator) continue;
      for (const literal of (generator.literals as unknown[] | undefined) ?? []) {
        const [k, ...rest] = String(literal).split('=');
        if (k === key) return rest.join('=');
      }
      for (const entry of (generator.files as unknown[] | undefined) ?? []) {
        const written = String(entry);
        const [k, p] = written.includes('=') ? [written.slice(0, written.indexOf('=')), written.slice(written.indexOf('=') + 1)] : [path.basename(written), written];
        if (k !== key) continue;
        const target = path.resolve(path.dirname(file), p);
        if (!target.startsWith(path.dirname(file) + path.sep)) return undefined; // kustomize forbids files outside too
        return safeRead(target);
      }
      continue;
    }
    const metadata = value.metadata as Record<string, unknown> | undefined;
    if (value.kind === 'ConfigMap' && metadata?.name === object.name) {
      const data = value.data as Record<string, unknown> | undefined;
      const entry = data?.[key];
      return entry === undefined ? undefined : String(entry);
    }
  }
  return undefined;
}

function safeRead(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
