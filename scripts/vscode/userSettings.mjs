// The VS Code user settings of `npm start` (the demo) and of the real-VS-Code test runs: one place,
// so that the demo shows what the tests check.
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/** The settings object; `title` names the window. */
export function userSettings(title) {
  return {
    'workbench.startupEditor': 'none',
    // Chart downloads stay on (the default): the workspace's chart sources are local servers.
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'security.workspace.trust.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'update.mode': 'none',
    'git.enabled': false,
    'window.title': title,
  };
}

/** Writes `<userData>/User/settings.json`. */
export function writeUserSettings(userData, title) {
  mkdirSync(path.join(userData, 'User'), { recursive: true });
  writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify(userSettings(title), null, 2));
}
