import { promises as fs } from 'fs';
import { reason } from './fsErrors';
import { walkWorkspace } from './walk';

export interface FileList {
  files: string[];
  /** Paths that could not be read, with the reason. */
  problems: string[];
  /** The directories walked, and those left out by `exclude` (whose content is not known). */
  directories: { listed: string[]; excluded: string[] };
}

/**
 * The YAML and JSON files named by `inputs`: files as given, directories walked (leaving out what `exclude`
 * globs match, relative to each directory). Sorted, so that reports come in the same order each time.
 */
export async function collectFiles(inputs: readonly string[], exclude: readonly string[] = []): Promise<FileList> {
  const files = new Set<string>();
  const problems: string[] = [];
  const directories = { listed: [] as string[], excluded: [] as string[] };
  for (const input of inputs) {
    try {
      const stat = await fs.stat(input);
      if (!stat.isDirectory()) {
        files.add(input);
        continue;
      }
      directories.listed.push(input);
      const onDirectory = (directory: string, excluded: boolean) => (excluded ? directories.excluded : directories.listed).push(directory);
      for await (const file of walkWorkspace([input], exclude, problems, undefined, onDirectory)) if (/\.(ya?ml|json)$/.test(file)) files.add(file);
    } catch (error) {
      problems.push(`${input}: ${reason(error)}`);
    }
  }
  return { files: [...files].sort(), problems, directories };
}

export { reason } from './fsErrors';
