import { readFileSync, statSync } from 'fs';
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
  for (const value of documentsOf(file, textOf(object.uri))) {
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

/** Parsed documents per file, kept while the file (or its open editor text) stays the same. */
const parsed = new Map<string, { stamp: string; values: Array<Record<string, unknown>> }>();

/** The documents of a file as plain values; diagnostics ask on every keystroke, so each version is parsed once. */
function documentsOf(file: string, openText: string | undefined): Array<Record<string, unknown>> {
  let stamp: string;
  try {
    stamp = openText ?? `disk:${statSync(file).mtimeMs}`;
  } catch {
    return [];
  }
  const cached = parsed.get(file);
  if (cached && cached.stamp === stamp) return cached.values;
  const text = openText ?? safeRead(file);
  const values = text === undefined ? [] : parseAllDocuments(text).map((doc) => doc.toJS({ maxAliasCount: 100 }) as unknown).filter((v): v is Record<string, unknown> => !!v && typeof v === 'object');
  parsed.set(file, { stamp, values });
  return values;
}

function safeRead(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
