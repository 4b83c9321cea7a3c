import { languages, LanguageStatusSeverity, type Disposable } from 'vscode';

import type { IndexStatus } from '../../server/src/protocol';

/**
 * The workspace index in the language status of YAML and JSON files ("{ }" in the status bar):
 * indexing while it runs, then how many files, how long it took, and what could not be read. Until
 * the index is complete, cross-file checks wait, and this says so.
 */
export function indexStatusItem(): { update(status: IndexStatus): void } & Disposable {
  const item = languages.createLanguageStatusItem('flux.index', [{ language: 'yaml' }, { language: 'json' }]);
  item.name = 'Flux workspace index';
  item.text = 'Flux: indexing…';
  item.busy = true;
  return {
    update(status) {
      item.busy = status.state === 'indexing';
      if (status.state === 'indexing') {
        item.text = 'Flux: indexing…';
        item.detail = 'References are checked once the workspace is indexed';
        item.severity = LanguageStatusSeverity.Information;
        return;
      }
      item.text = `Flux: ${status.files.toLocaleString('en-US')} files indexed`;
      const parts = [status.durationMs !== undefined ? `in ${(status.durationMs / 1000).toFixed(1)} s` : undefined, status.skipped ? `${status.skipped} too large to read` : undefined, status.problems ? `${status.problems} could not be read (see the output)` : undefined].filter(Boolean);
      item.detail = parts.join('; ');
      item.severity = status.problems ? LanguageStatusSeverity.Warning : LanguageStatusSeverity.Information;
    },
    dispose: () => item.dispose(),
  };
}
