import { existsSync, readFileSync } from 'fs';
import * as path from 'path';

export const SEED = path.resolve(__dirname, '../../shared/seed/flux-helmrelease-oci-tutorial.txt');

/**
 * The YAML examples of the tutorial our users follow. The tutorial is plain text: an example starts
 * at a top-level `apiVersion:` line and runs while lines look like YAML (indented, keys, comments,
 * `---`); trailing comments and blank lines are dropped.
 */
export function seedExamples(): Array<{ line: number; text: string }> {
  if (!existsSync(SEED)) throw new Error(`The tutorial is needed at ${SEED} (shared/seed next to the repository)`);
  const lines = readFileSync(SEED, 'utf8').split('\n');
  const examples: Array<{ line: number; text: string }> = [];
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.startsWith('apiVersion:')) continue;
    let end = i + 1;
    // A code block runs while lines look like YAML; the next block starts at an `apiVersion:` that
    // does not follow a `---` (blocks of the page are printed one after the other).
    while (end < lines.length && /^(\s|#|---|[A-Za-z][\w.-]*:(\s|$)|$)/.test(lines[end]!)) {
      if (lines[end]!.startsWith('apiVersion:')) {
        const previous = lines.slice(i, end).filter((l) => !/^(\s*$|#)/.test(l)).pop();
        if (previous !== '---') break;
      }
      end++;
    }
    while (end > i && /^(\s*$|#)/.test(lines[end - 1]!)) end--;
    examples.push({ line: i + 1, text: `${lines.slice(i, end).join('\n')}\n` });
    i = end - 1;
  }
  return examples;
}
