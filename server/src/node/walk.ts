/**
 * The one directory walk of the project: the YAML files (and `Kustomization` files) under some
 * folders, honouring exclude globs, skipping `node_modules` and `.git`, following links once. The
 * workspace index, "Migrate All Manifests" and the CLI all find files through it.
 */
import { promises as fs, type Dirent } from 'fs';
import * as path from 'path';
import { Minimatch } from 'minimatch';
import { reason } from './fsErrors';

const SKIPPED_DIRECTORIES = new Set(['node_modules', '.git']);

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** YAML files, `Kustomization` files, and JSON files (kustomize and Flux apply JSON manifests too). */
function isIndexable(name: string): boolean {
  return name.endsWith('.yaml') || name.endsWith('.yml') || name.endsWith('.json') || name === 'Kustomization';
}

/** `files.exclude`-style globs against paths relative to a workspace folder (always with `/`). */
class Excludes {
  private readonly patterns: Minimatch[] = [];
  /** For `x/**`: `x` itself, so that the directory is pruned rather than walked for nothing. */
  private readonly directoryPatterns: Minimatch[] = [];

  constructor(globs: readonly string[], problems: string[]) {
    for (const raw of globs) {
      const glob = raw.trim().replace(/\\/g, '/').replace(/^\.\//, '').replace(/^\/+/, '');
      if (!glob) continue;
      try {
        this.patterns.push(new Minimatch(glob, { dot: true }));
        if (glob.endsWith('/**') && glob.length > 3) this.directoryPatterns.push(new Minimatch(glob.slice(0, -3), { dot: true }));
      } catch (error) {
        problems.push(`exclude pattern ${JSON.stringify(raw)}: ${message(error)}`);
      }
    }
  }

  get empty(): boolean {
    return this.patterns.length === 0;
  }

  file(relative: string): boolean {
    return this.patterns.some((p) => p.match(relative));
  }

  directory(relative: string): boolean {
    return this.patterns.some((p) => p.match(relative)) || this.directoryPatterns.some((p) => p.match(relative));
  }
}

/** The walk's directories that are never entered (`node_modules`, `.git`) appear in this path. */
export function isInSkippedDirectory(filePath: string): boolean {
  return filePath.split('/').some((segment) => SKIPPED_DIRECTORIES.has(segment));
}

const compiledExcludes = new WeakMap<readonly string[], Excludes>();

/** Whether `filePath` inside `folder` is left out by the exclude globs (relative to that folder). */
export function isExcludedPath(folder: string, filePath: string, exclude: readonly string[]): boolean {
  let excludes = compiledExcludes.get(exclude);
  if (!excludes) {
    excludes = new Excludes(exclude, []);
    compiledExcludes.set(exclude, excludes);
  }
  if (excludes.empty) return false;
  const relative = path.relative(folder, filePath).split(path.sep).join('/');
  return excludes.file(relative) || relative.split('/').some((_, i, parts) => excludes.directory(parts.slice(0, i + 1).join('/')));
}

interface Root {
  folder: string;
  real: string;
}

interface PendingDirectory {
  /** The path as reached (through links): files get their URIs from it. */
  path: string;
  /** Its real path, for loop detection. */
  real: string;
  /** Relative to the root folder, with `/`; '' for the root. */
  relative: string;
  root: Root;
}

function isInside(real: string, directory: string): boolean {
  return real === directory || real.startsWith(directory.endsWith(path.sep) ? directory : directory + path.sep);
}

async function resolveRoots(folders: readonly string[], problems: string[]): Promise<Root[]> {
  const roots: Root[] = [];
  for (const folder of folders) {
    const absolute = path.resolve(folder);
    try {
      const real = await fs.realpath(absolute);
      const stat = await fs.stat(real);
      if (!stat.isDirectory()) {
        problems.push(`${absolute}: not a directory`);
        continue;
      }
      roots.push({ folder: absolute, real });
    } catch (error) {
      problems.push(`${absolute}: ${reason(error)}`);
    }
  }
  // A folder inside another one is walked as part of the outer one.
  roots.sort((a, b) => a.real.length - b.real.length);
  return roots.filter((root, i) => !roots.slice(0, i).some((outer) => isInside(root.real, outer.real)));
}

/** Directory listings in flight at once: the listing itself waits on the file system, not on this thread. */
const PARALLEL_LISTINGS = 8;

interface Listing {
  id: number;
  directory: PendingDirectory;
  entries?: Dirent[];
  error?: unknown;
}

/**
 * The indexable files under `folders`, a few directory listings at a time (directories are listed only
 * as the consumer asks for more files, so what is buffered stays bounded). Symbolic links to directories
 * are followed once: a link into a workspace folder is left out (the real directory is walked there), a
 * link outside is walked the first time its real path is met. Links to files are reported under the
 * link's path, as kustomize sees them. Never throws: what cannot be read goes to `problems`.
 */
/** Told of every directory the walk meets: listed, or left out by an exclude glob (its content unknown). */
export type DirectoryListener = (directory: string, excluded: boolean) => void;

export async function* walkWorkspace(folders: readonly string[], exclude: readonly string[], problems: string[], signal?: AbortSignal, onDirectory?: DirectoryListener): AsyncGenerator<string> {
  const excludes = new Excludes(exclude, problems);
  const roots = await resolveRoots(folders, problems);
  const visited = new Set<string>(roots.map((r) => r.real));
  const pending: PendingDirectory[] = roots.map((root) => ({ path: root.folder, real: root.real, relative: '', root })).reverse();
  const insideRoots = (real: string) => roots.some((r) => isInside(real, r.real));
  const listings = new Map<number, Promise<Listing>>();
  let nextId = 0;
  const list = (directory: PendingDirectory): void => {
    const id = nextId++;
    const listing: Promise<Listing> = fs.readdir(directory.path, { withFileTypes: true }).then(
      (entries) => ({ id, directory, entries }),
      (error: unknown) => ({ id, directory, error }),
    );
    listings.set(id, listing);
  };

  while (pending.length > 0 || listings.size > 0) {
    if (signal?.aborted) return;
    while (listings.size < PARALLEL_LISTINGS && pending.length > 0) list(pending.pop()!);
    const done = await Promise.race(listings.values());
    listings.delete(done.id);
    const { directory, entries, error } = done;
    if (!entries) {
      // Unreadable, or gone since its parent was listed.
      problems.push(`${directory.path}: ${reason(error)}`);
      continue;
    }
    const prefix = directory.path.endsWith(path.sep) ? directory.path : directory.path + path.sep;
    const realPrefix = directory.real.endsWith(path.sep) ? directory.real : directory.real + path.sep;
    for (const entry of entries) {
      const name = entry.name;
      const full = prefix + name;
      const relative = directory.relative ? `${directory.relative}/${name}` : name;
      let kind = direntKind(entry);
      if (kind === 'unknown') {
        try {
          const stat = await fs.lstat(full);
          kind = stat.isDirectory() ? 'directory' : stat.isSymbolicLink() ? 'link' : stat.isFile() ? 'file' : 'other';
        } catch (error) {
          problems.push(`${full}: ${reason(error)}`);
          continue;
        }
      }
      if (kind === 'directory') {
        if (SKIPPED_DIRECTORIES.has(name)) continue;
        if (!excludes.empty && excludes.directory(relative)) {
          onDirectory?.(full, true);
          continue;
        }
        onDirectory?.(full, false);
        const real = realPrefix + name;
        visited.add(real);
        pending.push({ path: full, real, relative, root: directory.root });
      } else if (kind === 'file') {
        if (isIndexable(name) && (excludes.empty || !excludes.file(relative))) yield full;
      } else if (kind === 'link') {
        if (SKIPPED_DIRECTORIES.has(name)) continue;
        let stat;
        try {
          stat = await fs.stat(full);
        } catch (error) {
          problems.push(`${full}: ${reason(error)}`);
          continue;
        }
        if (stat.isDirectory()) {
          if (!excludes.empty && excludes.directory(relative)) {
            onDirectory?.(full, true);
            continue;
          }
          onDirectory?.(full, false);
          let real: string;
          try {
            real = await fs.realpath(full);
          } catch (error) {
            problems.push(`${full}: ${reason(error)}`);
            continue;
          }
          if (insideRoots(real) || visited.has(real)) continue;
          visited.add(real);
          pending.push({ path: full, real, relative, root: directory.root });
        } else if (stat.isFile() && isIndexable(name) && (excludes.empty || !excludes.file(relative))) {
          yield full;
        }
      }
      if (signal?.aborted) return;
    }
  }
}

function direntKind(entry: Dirent): 'directory' | 'file' | 'link' | 'other' | 'unknown' {
  if (entry.isDirectory()) return 'directory';
  if (entry.isFile()) return 'file';
  if (entry.isSymbolicLink()) return 'link';
  if (entry.isFIFO() || entry.isSocket() || entry.isBlockDevice() || entry.isCharacterDevice()) return 'other';
  return 'unknown';
}

