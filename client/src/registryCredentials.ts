import { commands, window, type Disposable, type SecretStorage } from 'vscode';
import type { CredentialsNeeded, RegistryCredential } from '../../server/src/protocol';

/** One secret holds every credential the user entered, as JSON; VS Code keeps it in the OS keychain. */
const SECRET_KEY = 'helmRelease.registryCredentials';

export const SET_CREDENTIALS_COMMAND = 'helmRelease.setRegistryCredentials';
export const FORGET_CREDENTIALS_COMMAND = 'helmRelease.forgetRegistryCredentials';

/** Chart repository credentials entered in the editor, kept in VS Code's secret storage. */
export class EnteredCredentials {
  constructor(private readonly secrets: SecretStorage) {}

  async list(): Promise<RegistryCredential[]> {
    try {
      const parsed = JSON.parse((await this.secrets.get(SECRET_KEY)) ?? '[]') as unknown;
      return Array.isArray(parsed) ? parsed.filter(isCredential) : [];
    } catch {
      return []; // unreadable: as if none were entered
    }
  }

  /** Adds or replaces the credential for `credential.url`. */
  async set(credential: RegistryCredential): Promise<void> {
    const others = (await this.list()).filter((c) => sameUrl(c.url, credential.url) === false);
    await this.secrets.store(SECRET_KEY, JSON.stringify([...others, credential]));
  }

  async forget(url: string): Promise<boolean> {
    const all = await this.list();
    const kept = all.filter((c) => !sameUrl(c.url, url));
    if (kept.length === all.length) return false;
    await this.secrets.store(SECRET_KEY, JSON.stringify(kept));
    return true;
  }
}

function isCredential(value: unknown): value is RegistryCredential {
  const c = value as Partial<RegistryCredential> | null;
  return typeof c?.url === 'string' && typeof c.username === 'string' && typeof c.password === 'string';
}

function sameUrl(a: string, b: string): boolean {
  return a.trim().replace(/\/+$/, '').toLowerCase() === b.trim().replace(/\/+$/, '').toLowerCase();
}

/** Why a typed repository URL cannot be used, or undefined when it can. */
export function repositoryUrlProblem(url: string): string | undefined {
  if (!/^(oci|https?):\/\/[^/\s]+/.test(url.trim())) return 'Enter the repository URL as written in the HelmRepository or OCIRepository, e.g. oci://ghcr.io/my-org/charts or https://charts.example.com';
  if (/^[a-z]+:\/\/[^/]*@/i.test(url.trim())) return 'Leave the user name out of the URL; it is asked next.';
  return undefined;
}

/**
 * The commands that set and forget credentials, and the offer to enter them when a repository
 * refuses access. `send` hands the full list to the language server whenever it changes.
 */
export function registerRegistryCredentials(stored: EnteredCredentials, send: () => Promise<void>): { disposables: Disposable[]; credentialsNeeded: (notice: CredentialsNeeded) => void } {
  const offered = new Set<string>();
  const setCredentials = async (given?: Partial<RegistryCredential> | string): Promise<boolean> => {
    const preset = typeof given === 'string' ? { url: given } : (given ?? {});
    const url = preset.url ?? (await window.showInputBox({ title: 'Chart repository credentials (1/3)', prompt: 'Repository URL; the credentials apply to every chart under it', placeHolder: 'oci://ghcr.io/my-org/charts', ignoreFocusOut: true, validateInput: repositoryUrlProblem }));
    if (!url || repositoryUrlProblem(url)) return false;
    const username = preset.username ?? (await window.showInputBox({ title: 'Chart repository credentials (2/3)', prompt: `User name for ${url}`, ignoreFocusOut: true }));
    if (!username) return false;
    const password = preset.password ?? (await window.showInputBox({ title: 'Chart repository credentials (3/3)', prompt: `Password or token for ${username} at ${url}; kept in VS Code's secret storage`, password: true, ignoreFocusOut: true }));
    if (password === undefined) return false;
    await stored.set({ url: url.trim(), username, password });
    await send();
    return true;
  };
  const forgetCredentials = async (url?: string): Promise<boolean> => {
    let target = url;
    if (!target) {
      const all = await stored.list();
      if (all.length === 0) {
        void window.showInformationMessage('No chart repository credentials were entered in VS Code.');
        return false;
      }
      target = (await window.showQuickPick(all.map((c) => ({ label: c.url, description: c.username })), { title: 'Forget chart repository credentials' }))?.label;
    }
    if (!target || !(await stored.forget(target))) return false;
    await send();
    return true;
  };
  const credentialsNeeded = (notice: CredentialsNeeded): void => {
    if (offered.has(notice.url)) return;
    offered.add(notice.url);
    const reason = notice.status === 403 ? '403 Forbidden: the credentials in use do not give access' : '401 Unauthorized: it needs credentials';
    void window.showWarningMessage(`Chart repository ${notice.url} refused access (${reason}).`, 'Enter Credentials…').then((choice) => {
      if (choice) void setCredentials(notice.url);
    });
  };
  return {
    disposables: [commands.registerCommand(SET_CREDENTIALS_COMMAND, setCredentials), commands.registerCommand(FORGET_CREDENTIALS_COMMAND, forgetCredentials)],
    credentialsNeeded,
  };
}
