import type { ChildProcess } from 'node:child_process';

export const CODE_SERVER_VERSION: string;
export const CODE_SERVER_DIR: string;
/** code-server's `out/node/entry.js` in the install folder. */
export const CODE_SERVER_ENTRY: string;
/** The VS Code user settings of the demo and the test runs; `title` names the window. */
export function userSettings(title: string, options?: { trust?: boolean }): Record<string, unknown>;
/** Writes `<userData>/User/settings.json`. */
export function writeUserSettings(userData: string, title: string, options?: { trust?: boolean }): void;
/** Starts code-server; `ready` settles once it listens. */
export function launchCodeServer(options: { tmp: string; port: number; workspace: string; title: string; env?: Record<string, string>; logFile: string; trust?: boolean }): { child: ChildProcess; ready: Promise<void> };
