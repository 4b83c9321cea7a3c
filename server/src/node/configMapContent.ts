import { createHash } from 'crypto';
import { readFileSync, statSync } from 'fs';
import * as path from 'path';
import { fileURLToPath } from 'url';
import { parseAllDocuments } from 'yaml';
import { BoundedMap } from '../boundedMap';
import type { ObjectRecord } from '../service/workspace/types';

export interface ConfigMapContentsLimits {
  /** Most files kept parsed. Default 128. */
  maxFiles?: number;
  /** Most characters of text, all files together, whose parsed documents are kept. Default 16 M. */
  maxChars?: number;
}

/** One file's documents as plain values, and what its text was (a hash, not the text). */
interface ParsedFile {
  stamp: string;
  values: Array<Record<string, unknown>>;
  chars: number;
}

/**
 * The content of ConfigMaps that `valuesFrom` names. Diagnostics ask on every keystroke, so each
 * version of a file is parsed once; the parsed files kept are bounded by count and by text size.
 */
export class ConfigMapContents {
  private readonly parsed: BoundedMap<string, ParsedFile>;

  constructor(limits: ConfigMapContentsLimits = {}) {
    this.parsed = new BoundedMap({ maxEntries: limits.maxFiles ?? 128, maxWeight: limits.maxChars ?? 16 * 1024 * 1024, weigh: (p) => 1 + p.chars });
  }

  /** How many files are kept parsed, and the characters of their texts. */
  memoryUse(): { files: number; chars: number } {
    return { files: this.parsed.size, chars: this.parsed.weight - this.parsed.size };
  }

  /**
   * The text under one key of a ConfigMap found in the workspace: a manifest's `data`, or a kustomize
   * generator's `files` / `literals`. Secrets are never read. `textOf` gives open editor text first.
   */
  data(object: ObjectRecord, key: string, textOf: (uri: string) => string | undefined): string | undefined {
    if (object.kind !== 'ConfigMap') return undefined;
    let file: string;
    try {
      file = fileURLToPath(object.uri);
    } catch {
      return undefined;
    }
    return dataIn(file, this.documentsOf(file, textOf(object.uri)), object, key);
  }

  /**
   * Every key and value of a ConfigMap found in the workspace (for post-build substitution): a
   * manifest's `data`, or a generator's `literals`, `files` and `envs`. Undefined when a file it
   * reads cannot be read. Secrets are never read.
   */
  entries(object: ObjectRecord, textOf: (uri: string) => string | undefined): Record<string, string> | undefined {
    if (object.kind !== 'ConfigMap') return undefined;
    let file: string;
    try {
      file = fileURLToPath(object.uri);
    } catch {
      return undefined;
    }
    return entriesIn(file, this.documentsOf(file, textOf(object.uri)), object);
  }

  /** The documents of a file as plain values, parsed once per version of its text. */
  private documentsOf(file: string, openText: string | undefined): Array<Record<string, unknown>> {
    let stamp: string;
    try {
      stamp = openText !== undefined ? `text:${openText.length}:${createHash('sha256').update(openText).digest('base64')}` : `disk:${statSync(file).mtimeMs}`;
    } catch {
      return [];
    }
    const cached = this.parsed.get(file);
    if (cached && cached.stamp === stamp) return cached.values;
    const text = openText ?? safeRead(file);
    const values = text === undefined ? [] : parseAllDocuments(text).map((doc) => doc.toJS({ maxAliasCount: 100 }) as unknown).filter((v): v is Record<string, unknown> => !!v && typeof v === 'object');
    this.parsed.set(file, { stamp, values, chars: text?.length ?? 0 });
    return values;
  }
}

const shared = new ConfigMapContents();

/** {@link ConfigMapContents.data} with the language server's one bounded cache. */
export function configMapData(object: ObjectRecord, key: string, textOf: (uri: string) => string | undefined): string | undefined {
  return shared.data(object, key, textOf);
}

function dataIn(file: string, documents: Array<Record<string, unknown>>, object: ObjectRecord, key: string): string | undefined {
  for (const value of documents) {
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

/** {@link ConfigMapContents.entries} with the language server's one bounded cache. */
export function configMapEntries(object: ObjectRecord, textOf: (uri: string) => string | undefined): Record<string, string> | undefined {
  return shared.entries(object, textOf);
}

function entriesIn(file: string, documents: Array<Record<string, unknown>>, object: ObjectRecord): Record<string, string> | undefined {
  const directory = path.dirname(file);
  const inside = (p: string) => {
    const target = path.resolve(directory, p);
    return target.startsWith(directory + path.sep) ? target : undefined;
  };
  for (const value of documents) {
    if (object.origin === 'configMapGenerator') {
      const generators = Array.isArray(value.configMapGenerator) ? (value.configMapGenerator as Array<Record<string, unknown>>) : [];
      const generator = generators.find((g) => g?.name === object.name);
      if (!generator) continue;
      const out: Record<string, string> = {};
      // kustomize reads env files first, then files, then literals.
      const envs = [...((generator.envs as unknown[] | undefined) ?? []), ...(generator.env ? [generator.env] : [])];
      for (const env of envs) {
        const target = inside(String(env));
        const text = target && safeRead(target);
        if (text === undefined) return undefined;
        for (const line of text.split(/\r?\n/)) {
          const trimmed = line.trim();
          if (trimmed === '' || trimmed.startsWith('#')) continue;
          const at = trimmed.indexOf('=');
          if (at < 0) continue;
          out[trimmed.slice(0, at)] = trimmed.slice(at + 1);
        }
      }
      for (const entry of (generator.files as unknown[] | undefined) ?? []) {
        const written = String(entry);
        const [k, p] = written.includes('=') ? [written.slice(0, written.indexOf('=')), written.slice(written.indexOf('=') + 1)] : [path.basename(written), written];
        const target = inside(p);
        const text = target && safeRead(target);
        if (text === undefined) return undefined;
        out[k] = text;
      }
      for (const literal of (generator.literals as unknown[] | undefined) ?? []) {
        const [k, ...rest] = String(literal).split('=');
        out[k!] = rest.join('=').replace(/^(["'])(.*)\1$/s, '$2');
      }
      return out;
    }
    const metadata = value.metadata as Record<string, unknown> | undefined;
    if (value.kind === 'ConfigMap' && metadata?.name === object.name) {
      const data = (value.data as Record<string, unknown> | undefined) ?? {};
      return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v as string | number | boolean)]));
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
