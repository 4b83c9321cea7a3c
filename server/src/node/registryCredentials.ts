import { execFile } from 'child_process';
import { readFileSync, statSync } from 'fs';
import { homedir } from 'os';
import * as path from 'path';
import { parse } from 'yaml';
import { BoundedMap } from '../boundedMap';
import type { BasicAuth } from './remoteCharts';
import type { RegistryCredential } from '../protocol';

/**
 * Credentials for chart repositories from the user's own configuration, as `helm` and `docker` use
 * them: registry `auths` in Docker's and Helm's registry config files (OCI), and `repositories.yaml`
 * of Helm (HTTP). Never from a Secret manifest in the repository; never logged or shown.
 */
export class RegistryCredentials {
  /** The few config files read (Helm's and Docker's), parsed. */
  private readonly cache = new BoundedMap<string, { mtime: number; value: unknown }>({ maxEntries: 8 });
  /** Entered by the user in the editor (kept in its secret storage); they win over the files. */
  private entered: RegistryCredential[] = [];

  constructor(private readonly env: Record<string, string | undefined> = process.env, private readonly home = homedir()) {}

  /** Files read for OCI registries, in the order they are tried. */
  registryConfigFiles(): string[] {
    const config = this.env.XDG_CONFIG_HOME ?? path.join(this.home, '.config');
    return [
      this.env.HELM_REGISTRY_CONFIG ?? path.join(config, 'helm', 'registry', 'config.json'),
      path.join(this.env.DOCKER_CONFIG ?? path.join(this.home, '.docker'), 'config.json'),
    ];
  }

  repositoriesFile(): string {
    return this.env.HELM_REPOSITORY_CONFIG ?? path.join(this.env.XDG_CONFIG_HOME ?? path.join(this.home, '.config'), 'helm', 'repositories.yaml');
  }

  /** Replaces the credentials entered in the editor. */
  setEntered(credentials: RegistryCredential[]): void {
    this.entered = credentials.filter((c) => typeof c.url === 'string' && typeof c.username === 'string' && typeof c.password === 'string');
  }

  /**
   * Credentials for a chart repository URL, including those a Docker credential helper
   * (`credHelpers`, `credsStore`) keeps in the system's keychain. Asked only before a download.
   */
  async resolve(url: string): Promise<BasicAuth | undefined> {
    const direct = this.credentialsFor(url);
    if (direct || !url.startsWith('oci://')) return direct;
    const host = url.slice('oci://'.length).split('/')[0]!;
    for (const file of this.registryConfigFiles()) {
      const config = this.read(file, JSON.parse) as DockerConfig | undefined;
      const helper = config?.credHelpers?.[host] ?? config?.credsStore;
      if (helper) return this.fromHelper(helper, host);
    }
    return undefined;
  }

  /** Basic credentials for a chart repository URL (`oci://host/path` or `https://…`) from what is written in files, or entered. */
  credentialsFor(url: string): BasicAuth | undefined {
    const entered = enteredFor(this.entered, url);
    if (entered) return { username: entered.username, password: entered.password };
    if (url.startsWith('oci://')) {
      const host = url.slice('oci://'.length).split('/')[0]!;
      for (const file of this.registryConfigFiles()) {
        const auths = (this.read(file, JSON.parse) as { auths?: Record<string, { auth?: string; username?: string; password?: string }> } | undefined)?.auths;
        const entry = auths?.[host] ?? auths?.[`https://${host}`] ?? auths?.[`http://${host}`];
        const decoded = entry && decodeAuth(entry);
        if (decoded) return decoded;
      }
      return undefined;
    }
    const repositories = (this.read(this.repositoriesFile(), (t) => parse(t)) as { repositories?: Array<{ url?: string; username?: string; password?: string }> } | undefined)?.repositories;
    const normalized = url.replace(/\/+$/, '');
    const repository = repositories?.find((r) => r.url?.replace(/\/+$/, '') === normalized && r.username);
    return repository?.username && repository.password !== undefined ? { username: repository.username, password: repository.password } : undefined;
  }

  /** Per helper and registry host: the registries of a workspace are few; kept a few minutes. */
  private readonly helperAnswers = new BoundedMap<string, { at: number; answer: Promise<BasicAuth | undefined> }>({ maxEntries: 32 });

  /** Runs `docker-credential-<helper> get` as docker does; answers are kept a few minutes. */
  private fromHelper(helper: string, host: string): Promise<BasicAuth | undefined> {
    if (!/^[\w.-]+$/.test(helper)) return Promise.resolve(undefined);
    const id = `${helper} ${host}`;
    const cached = this.helperAnswers.get(id);
    if (cached && Date.now() - cached.at < HELPER_ANSWER_TTL_MS) return cached.answer;
    const answer = new Promise<BasicAuth | undefined>((resolve) => {
      const child = execFile(`docker-credential-${helper}`, ['get'], { timeout: 10_000, env: this.env as NodeJS.ProcessEnv }, (error, stdout) => {
        if (error) return resolve(undefined); // not installed, or no credentials for this host
        try {
          const parsed = JSON.parse(stdout) as { Username?: string; Secret?: string };
          // `<token>` marks an identity token for an OAuth flow, which chart pulls here do not use.
          resolve(parsed.Username && parsed.Username !== '<token>' && typeof parsed.Secret === 'string' ? { username: parsed.Username, password: parsed.Secret } : undefined);
        } catch {
          resolve(undefined);
        }
      });
      child.stdin?.on('error', () => undefined);
      child.stdin?.end(host);
    });
    this.helperAnswers.set(id, { at: Date.now(), answer });
    return answer;
  }

  private read(file: string, parseText: (text: string) => unknown): unknown {
    try {
      const mtime = statSync(file).mtimeMs;
      const cached = this.cache.get(file);
      if (cached && cached.mtime === mtime) return cached.value;
      const value = parseText(readFileSync(file, 'utf8'));
      this.cache.set(file, { mtime, value });
      return value;
    } catch {
      return undefined; // missing or unreadable: no credentials from this file
    }
  }
}

interface DockerConfig {
  auths?: Record<string, { auth?: string; username?: string; password?: string }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

const HELPER_ANSWER_TTL_MS = 5 * 60_000;

function decodeAuth(entry: { auth?: string; username?: string; password?: string }): BasicAuth | undefined {
  if (entry.username && entry.password !== undefined) return { username: entry.username, password: entry.password };
  if (!entry.auth) return undefined;
  const text = Buffer.from(entry.auth, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  return colon > 0 ? { username: text.slice(0, colon), password: text.slice(colon + 1) } : undefined;
}

/** URLs compared without a trailing slash and with the scheme and host in lower case. */
function normalizeUrl(url: string): string {
  const trimmed = url.trim().replace(/\/+$/, '');
  const match = /^([a-z][a-z0-9+.-]*:\/\/[^/]+)(.*)$/i.exec(trimmed);
  return match ? match[1]!.toLowerCase() + match[2]! : trimmed;
}

/** The entered credential for the longest URL that is the repository URL or a folder above it. */
export function enteredFor(entered: RegistryCredential[], url: string): RegistryCredential | undefined {
  const target = normalizeUrl(url);
  let best: RegistryCredential | undefined;
  let bestLength = -1;
  for (const credential of entered) {
    const prefix = normalizeUrl(credential.url);
    if ((target === prefix || target.startsWith(`${prefix}/`)) && prefix.length > bestLength) {
      best = credential;
      bestLength = prefix.length;
    }
  }
  return best;
}
