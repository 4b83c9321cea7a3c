import { readFile } from 'fs/promises';
import { pathToFileURL } from 'url';
import { decode } from '../cli/check';
import { collectFiles } from '../node/files';
import { workspaceMigration } from '../node/workspaceMigration';
import type { ServerContext } from '../serverContext';

export const MIGRATE_WORKSPACE_COMMAND = 'helmRelease.migrateWorkspace';
export const CLEAR_CHART_CACHE_COMMAND = 'helmRelease.clearChartCache';
export const REFRESH_CHARTS_COMMAND = 'helmRelease.refreshCharts';
export const SERVER_COMMANDS = [MIGRATE_WORKSPACE_COMMAND, CLEAR_CHART_CACHE_COMMAND, REFRESH_CHARTS_COMMAND] as const;

/** The commands the server runs: chart cache upkeep, and migrating every manifest of the workspace. */
export function registerCommands(context: ServerContext): void {
  const { connection, guarded, charts } = context;
  connection.onExecuteCommand(
    guarded('command', undefined, async (params) => {
      switch (params.command) {
        case REFRESH_CHARTS_COMMAND:
          charts.refresh();
          return;
        case CLEAR_CHART_CACHE_COMMAND:
          charts.clearCache();
          void connection.window.showInformationMessage('The chart cache is cleared; charts are fetched again when needed.');
          return;
        case MIGRATE_WORKSPACE_COMMAND:
          await migrateWorkspace(context);
      }
    }),
  );
}

/** One workspace edit that moves every old manifest to a served API version, previewed by the client. */
async function migrateWorkspace({ connection, store, indexing, settings }: ServerContext): Promise<void> {
  // The same files the index sees: `files.exclude` and `helmRelease.exclude` leave files out here too.
  const { files: found } = await collectFiles(indexing.folders, await indexing.excludedGlobs());
  // The migration rewrites YAML; JSON manifests are reported, not rewritten.
  const files = found.filter((file) => !file.endsWith('.json'));
  const sources = await Promise.all(
    files.map(async (file) => {
      const uri = pathToFileURL(file).toString();
      const open = store.get(uri);
      if (open) return { uri, text: open.text.getText(), version: open.text.version };
      try {
        return { uri, text: decode(await readFile(file)).text, version: null };
      } catch {
        return undefined;
      }
    }),
  );
  const current = await settings.for(pathToFileURL(indexing.folders[0] ?? '/').toString());
  const migration = workspaceMigration(sources.filter((s): s is NonNullable<typeof s> => s !== undefined), current);
  if (migration.objects === 0) {
    void connection.window.showInformationMessage('Every Flux manifest in the workspace already uses an API version that Flux serves.');
    return;
  }
  const result = await connection.workspace.applyEdit({ label: `Migrate ${migration.objects} Flux object(s) to served API versions`, edit: migration.edit });
  if (!result.applied && result.failureReason) void connection.window.showWarningMessage(`The migration was not applied: ${result.failureReason}`);
}
