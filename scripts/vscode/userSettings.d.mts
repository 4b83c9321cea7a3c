/** The VS Code user settings of the demo and the test runs; `title` names the window. */
export function userSettings(title: string): Record<string, unknown>;
/** Writes `<userData>/User/settings.json`. */
export function writeUserSettings(userData: string, title: string): void;
