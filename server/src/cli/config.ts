import { promises as fs } from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { normalizeSettings, type Settings } from '../service/settings';

export const CONFIG_FILE_NAME = '.helmrelease.yaml';

/** The nearest `.helmrelease.yaml` from `start` upwards, if any. */
export async function findConfigFile(start: string): Promise<string | undefined> {
  let directory = path.resolve(start);
  for (;;) {
    const candidate = path.join(directory, CONFIG_FILE_NAME);
    try {
      if ((await fs.stat(candidate)).isFile()) return candidate;
    } catch {
      // not here; go up
    }
    const parent = path.dirname(directory);
    if (parent === directory) return undefined;
    directory = parent;
  }
}

/** Reads the CLI settings file; it has the same keys as the `helmRelease.*` settings. */
export async function loadConfig(file: string): Promise<Settings> {
  const text = await fs.readFile(file, 'utf8');
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    throw new Error(`${file} is not valid YAML: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  }
  if (raw !== null && raw !== undefined && typeof raw !== 'object') throw new Error(`${file} must be a mapping of settings`);
  return normalizeSettings(raw ?? {});
}
