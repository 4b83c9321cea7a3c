import { promises as fs } from 'fs';
import * as path from 'path';

const SKIPPED_DIRECTORIES = new Set(['node_modules', '.git']);

export interface FileList {
  files: string[];
  /** Paths that could not be read, with the reason. */
  problems: string[];
}

function isYaml(name: string): boolean {
  return name.endsWith('.yaml') || name.endsWith('.yml');
}

/** The YAML files named by `inputs`: files as given, directories searched recursively (following links once). */
export async function collectFiles(inputs: readonly string[]): Promise<FileList> {
  const files = new Set<string>();
  const problems: string[] = [];
  const visitedDirectories = new Set<string>();

  async function walk(directory: string): Promise<void> {
    let real: string;
    try {
      real = await fs.realpath(directory);
    } catch (error) {
      problems.push(`${directory}: ${reason(error)}`);
      return;
    }
    if (visitedDirectories.has(real)) return; // a symlink loop or a directory linked twice
    visitedDirectories.add(real);
    let entries;
    try {
      entries = await fs.readdir(directory, { withFileTypes: true });
    } catch (error) {
      problems.push(`${directory}: ${reason(error)}`);
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const full = path.join(directory, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRECTORIES.has(entry.name)) await walk(full);
      } else if (entry.isSymbolicLink()) {
        try {
          const stat = await fs.stat(full);
          if (stat.isDirectory()) await walk(full);
          else if (stat.isFile() && isYaml(entry.name)) files.add(full);
        } catch (error) {
          problems.push(`${full}: ${reason(error)}`);
        }
      } else if (entry.isFile() && isYaml(entry.name)) {
        files.add(full);
      }
    }
  }

  for (const input of inputs) {
    try {
      const stat = await fs.stat(input);
      if (stat.isDirectory()) await walk(input);
      else files.add(input);
    } catch (error) {
      problems.push(`${input}: ${reason(error)}`);
    }
  }
  return { files: [...files], problems };
}

export function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    case 'EISDIR':
      return 'is a directory';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
