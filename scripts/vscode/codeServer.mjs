// code-server as `npm start` (the demo) and the real-VS-Code test runs launch it: where it is
// installed, the user settings, the command line, and waiting until it listens. One place, so
// that the demo shows what the tests check.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const CODE_SERVER_VERSION = process.env.CODE_SERVER_VERSION ?? '4.100.3';
export const CODE_SERVER_DIR =
  process.env.CODE_SERVER_DIR ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'flux-helmrelease', `code-server-${CODE_SERVER_VERSION}`);
export const CODE_SERVER_ENTRY = path.join(CODE_SERVER_DIR, 'node_modules', 'code-server', 'out', 'node', 'entry.js');

/** The settings object; `title` names the window. */
export function userSettings(title, { trust = false } = {}) {
  return {
    ...(trust ? { 'security.workspace.trust.startupPrompt': 'never', 'security.workspace.trust.banner': 'always' } : {}),
    'workbench.startupEditor': 'none',
    // Chart downloads stay on (the default): the workspace's chart sources are local servers.
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    // Workspace trust is off, except for the run that checks Restricted Mode.
    'security.workspace.trust.enabled': trust,
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
export function writeUserSettings(userData, title, options = {}) {
  mkdirSync(path.join(userData, 'User'), { recursive: true });
  writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify(userSettings(title, options), null, 2));
}

/**
 * Starts code-server on 127.0.0.1:`port` without auth, with its user data and extensions under
 * `tmp`, opening `workspace` (with `trust`, in Restricted Mode until trusted), in a process group of its own (stop it with `process.kill(-pid)`).
 * `env` is added to this process's environment, less VS Code's and Electron's own variables.
 * `ready` settles once it listens, or rejects (after stopping it) when it exits or takes 60 s.
 */
export function launchCodeServer({ tmp, port, workspace, title, env = {}, logFile, trust = false }) {
  const userData = path.join(tmp, 'user-data');
  writeUserSettings(userData, title, { trust });
  const configFile = path.join(tmp, 'code-server.yaml');
  writeFileSync(configFile, 'auth: none\ncert: false\n');
  const childEnv = { ...process.env, ...env };
  for (const k of Object.keys(childEnv)) if (k.startsWith('VSCODE_') || k.startsWith('ELECTRON_')) delete childEnv[k];
  const args = [
    CODE_SERVER_ENTRY,
    '--config', configFile,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    ...(trust ? [] : ['--disable-workspace-trust']),
    '--disable-getting-started-override',
    '--user-data-dir', userData,
    '--extensions-dir', path.join(tmp, 'extensions'),
    workspace,
  ];
  const child = spawn(process.execPath, args, { env: childEnv, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const log = createWriteStream(logFile);
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const ready = new Promise((resolve, reject) => {
    let text = '';
    const done = (error) => {
      clearTimeout(timer);
      child.stdout.off('data', onData);
      child.stderr.off('data', onData);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve();
    };
    const onData = (b) => {
      text += b.toString();
      if (text.includes('HTTP server listening')) done();
    };
    const onExit = (code) => done(new Error(`code-server exited with ${code}:\n${text}`));
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
      done(new Error(`code-server did not start in 60 s:\n${text}`));
    }, 60_000);
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', onExit);
  });
  return { child, ready };
}
