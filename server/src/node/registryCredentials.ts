import { readFileSync, statSync } from 'fs';
import { homedir } from 'os';
import * as path from 'path';
import { parse } from 'yaml';
import type { BasicAuth } from './remoteCharts';

/**
 * Credentials for chart repositories from the user's own configuration, as `helm` and `docker` use
 * them: registry `auths` in Docker's and Helm's registry config files (OCI), and `repositories.yaml`
 * of Helm (HTTP). Never from a Secret manifest in the repository; never logged or shown.
 */
export class RegistryCredentials {
  private readonly cache = new Map<string, { mtime: number; value: unknown }>();

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

  /** Basic credentials for a chart repository URL (`oci://host/path` or `https://…`), if configured. */
  credentialsFor(url: string): BasicAuth | undefined {
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

function decodeAuth(entry: { auth?: string; username?: string; password?: string }): BasicAuth | undefined {
  if (entry.username && entry.password !== undefined) return { username: entry.username, password: entry.password };
  if (!entry.auth) return undefined;
  const text = Buffer.from(entry.auth, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  return colon > 0 ? { username: text.slice(0, colon), password: text.slice(colon + 1) } : undefined;
}
