import { readFile, stat } from 'fs/promises';
import * as path from 'path';

/**
 * The remote URLs of a folder's Git repository, from `.git/config` (or the config of the directory a
 * `.git` file points at): a GitRepository with one of them syncs this repository. None when it is
 * not a Git repository or cannot be read.
 */
export async function repositoryUrls(folder: string): Promise<string[]> {
  try {
    let gitDirectory = path.join(folder, '.git');
    const dotGit = await stat(gitDirectory);
    if (dotGit.isFile()) {
      const pointer = /^gitdir:\s*(.+)$/m.exec(await readFile(gitDirectory, 'utf8'));
      if (!pointer) return [];
      gitDirectory = path.resolve(folder, pointer[1]!.trim());
      // A worktree's own directory has no config: the common directory holds it.
      const common = await readFile(path.join(gitDirectory, 'commondir'), 'utf8').catch(() => undefined);
      if (common) gitDirectory = path.resolve(gitDirectory, common.trim());
    }
    const config = await readFile(path.join(gitDirectory, 'config'), 'utf8');
    if (config.length > 1024 * 1024) return [];
    return [...config.matchAll(/^\s*url\s*=\s*(\S+)\s*$/gm)].map((m) => m[1]!);
  } catch {
    return [];
  }
}
