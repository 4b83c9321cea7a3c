// Kubeconfig `exec` credential plugins (client.authentication.k8s.io ExecCredential): one run at a
// time, stopped after a timeout, and the credential reused until it expires (a short while when it
// carries no expirationTimestamp).
//
// It plugs into @kubernetes/client-node as an authenticator. client-node's own ExecAuth cannot be
// configured for this: it spawns the plugin without a timeout, and it reuses a credential only
// until its expirationTimestamp, so a credential without one makes the plugin run for every request.
// Its built-in authenticators are asked first, so `connect` hands client-node the user without
// `exec` and registers this one.
import { spawn, type ChildProcess } from 'node:child_process';
import type { RequestOptions } from 'node:https';
import { dirname, isAbsolute, join } from 'node:path';
import type { Cluster, KubeConfig, User } from '@kubernetes/client-node';
import { ClusterError, redact } from './errors';
import { isRecord } from './types';

export interface ExecConfig {
  command: string;
  args: string[];
  env: Array<{ name: string; value: string }>;
  apiVersion: string | undefined;
  provideClusterInfo: boolean;
}

export interface ExecCredentialOptions {
  /** The plugin is stopped after this long (default 30 s). */
  timeoutMs?: number;
  /** How long a credential without expirationTimestamp is reused (default 60 s). */
  reuseMs?: number;
  /** After a timeout, the plugin is not started again for this long (default 5 min): it may be waiting for a login. */
  holdAfterTimeoutMs?: number;
}

interface Credential {
  token: string | undefined;
  cert: string | undefined;
  key: string | undefined;
  /** Reused until then (ms since the epoch). */
  until: number;
}

type Authenticator = Parameters<KubeConfig['addAuthenticator']>[0];

const defaultApiVersion = 'client.authentication.k8s.io/v1beta1';
const maxOutput = 1024 * 1024;

/** The user's exec plugin (`exec`, or the older `auth-provider.config.exec`), or undefined. */
export function execConfigOf(user: User | undefined): ExecConfig | undefined {
  if (!user) return undefined;
  const provider: unknown = user.authProvider;
  const raw: unknown = user.exec ?? (isRecord(provider) && isRecord(provider.config) ? provider.config.exec : undefined);
  if (!isRecord(raw)) return undefined;
  if (typeof raw.command !== 'string' || raw.command === '') {
    throw new ClusterError('KubeconfigInvalid', `The exec credential plugin of user "${user.name}" has no command.`);
  }
  const args = Array.isArray(raw.args) ? raw.args.filter((a): a is string => typeof a === 'string') : [];
  const env = Array.isArray(raw.env)
    ? raw.env.filter(isRecord).flatMap((e) => (typeof e.name === 'string' ? [{ name: e.name, value: typeof e.value === 'string' ? e.value : '' }] : []))
    : [];
  return {
    command: raw.command,
    args,
    env,
    apiVersion: typeof raw.apiVersion === 'string' && raw.apiVersion !== '' ? raw.apiVersion : undefined,
    provideClusterInfo: raw.provideClusterInfo === true,
  };
}

/** The user as client-node should see it: without the exec plugin this module runs. */
export function withoutExec(user: User): User {
  const provider: unknown = user.authProvider;
  const providerExec = isRecord(provider) && isRecord(provider.config) && provider.config.exec !== undefined;
  return { ...user, exec: undefined, authProvider: providerExec ? undefined : user.authProvider };
}

export class ExecCredentialPlugin {
  private credential: Credential | undefined;
  private running: Promise<Credential> | undefined;
  private heldUntil = 0;
  private heldError: ClusterError | undefined;
  private readonly command: string;

  constructor(
    private readonly exec: ExecConfig,
    private readonly userName: string,
    private readonly cluster: Cluster,
    /** The directory of the kubeconfig that defines the user: a relative command with a slash is resolved from there, as kubectl does. */
    kubeconfigFile: string | undefined,
    private readonly options: ExecCredentialOptions = {},
  ) {
    const relativePath = !isAbsolute(exec.command) && /[\\/]/.test(exec.command);
    this.command = relativePath && kubeconfigFile !== undefined ? join(dirname(kubeconfigFile), exec.command) : exec.command;
  }

  /** The authenticator to register with `KubeConfig.addAuthenticator`. */
  authenticator(): Authenticator {
    return {
      isAuthProvider: (user: User) => user.name === this.userName,
      applyAuthentication: async (_user: User, opts: RequestOptions) => {
        const credential = await this.get();
        if (credential.cert !== undefined) opts.cert = credential.cert;
        if (credential.key !== undefined) opts.key = credential.key;
        if (credential.token !== undefined) opts.headers = { ...opts.headers, Authorization: `Bearer ${credential.token}` };
      },
    };
  }

  /** The current credential's secrets, to keep them out of messages. */
  secrets(): string[] {
    const c = this.credential;
    return c ? [c.token, c.key].filter((s): s is string => s !== undefined) : [];
  }

  /** Forgets the credential (the server rejected it): the next request runs the plugin again. */
  invalidate(): void {
    this.credential = undefined;
  }

  private get(): Promise<Credential> {
    const now = Date.now();
    if (this.credential && now < this.credential.until) return Promise.resolve(this.credential);
    if (this.heldError && now < this.heldUntil) return Promise.reject(this.heldError);
    if (!this.running) {
      this.running = this.run().then(
        (credential) => {
          this.running = undefined;
          this.credential = credential;
          return credential;
        },
        (error: unknown) => {
          this.running = undefined;
          throw error;
        },
      );
    }
    return this.running;
  }

  private run(): Promise<Credential> {
    const timeoutMs = this.options.timeoutMs ?? 30_000;
    return new Promise<Credential>((resolve, reject) => {
      let child: ChildProcess;
      try {
        child = spawn(this.command, this.exec.args, {
          env: this.environment(),
          stdio: ['ignore', 'pipe', 'pipe'],
          // Its own process group, so that a timeout stops the plugin and whatever it started.
          detached: process.platform !== 'win32',
          windowsHide: true,
        });
      } catch (error) {
        reject(this.failure(`could not be started: ${error instanceof Error ? error.message : String(error)}`));
        return;
      }
      let stdout = '';
      let stderr = '';
      let settled = false;
      const settle = (error: ClusterError | undefined, credential?: Credential): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error) reject(error);
        else resolve(credential!);
      };
      const timer = setTimeout(() => {
        stop(child);
        const seconds = Math.round(timeoutMs / 100) / 10;
        const error = this.failure(
          `timed out: it did not finish within ${seconds} s and was stopped. It may be waiting for you to log in: run a kubectl command for this context in a terminal, log in there, then refresh the Flux view.`,
        );
        this.heldError = error;
        this.heldUntil = Date.now() + (this.options.holdAfterTimeoutMs ?? 5 * 60_000);
        settle(error);
      }, timeoutMs);
      child.stdout?.setEncoding('utf8');
      child.stderr?.setEncoding('utf8');
      child.stdout?.on('data', (chunk: string) => {
        stdout += chunk;
        if (stdout.length > maxOutput) {
          stop(child);
          settle(this.failure('wrote more than 1 MB to its standard output.'));
        }
      });
      child.stderr?.on('data', (chunk: string) => {
        if (stderr.length < 4096) stderr += chunk;
      });
      child.on('error', (error: NodeJS.ErrnoException) => {
        settle(this.failure(error.code === 'ENOENT' ? 'was not found. Install it, or fix the command in the kubeconfig.' : `could not be started: ${error.message}`));
      });
      child.on('close', (code, signal) => {
        if (code !== 0) {
          const detail = redact(stderr.trim().split('\n').slice(-3).join(' ').slice(0, 500), this.secrets());
          settle(this.failure(`failed (${signal ?? `exit code ${code}`})${detail !== '' ? `: ${detail}` : '.'}`));
          return;
        }
        try {
          settle(undefined, this.parse(stdout));
        } catch (error) {
          settle(error instanceof ClusterError ? error : this.failure(String(error)));
        }
      });
    });
  }

  /** The ExecCredential on standard output (never quoted in messages: it holds the credential). */
  private parse(stdout: string): Credential {
    let value: unknown;
    try {
      value = JSON.parse(stdout);
    } catch {
      throw this.failure('printed something that is not JSON; an ExecCredential was expected.');
    }
    if (!isRecord(value) || value.kind !== 'ExecCredential' || !isRecord(value.status)) {
      throw this.failure('printed JSON that is not an ExecCredential with a status.');
    }
    const expected = this.exec.apiVersion ?? defaultApiVersion;
    if (this.exec.apiVersion !== undefined && value.apiVersion !== expected) {
      throw this.failure(`returned apiVersion ${JSON.stringify(value.apiVersion)}, but the kubeconfig asks for ${expected}.`);
    }
    const status = value.status;
    const text = (field: string): string | undefined => (typeof status[field] === 'string' && status[field] !== '' ? status[field] : undefined);
    const token = text('token');
    const cert = text('clientCertificateData');
    const key = text('clientKeyData');
    if (token === undefined && (cert === undefined || key === undefined)) {
      throw this.failure('returned neither a token nor a client certificate and key.');
    }
    const expiry = Date.parse(text('expirationTimestamp') ?? '');
    const until = Number.isNaN(expiry) ? Date.now() + (this.options.reuseMs ?? 60_000) : expiry;
    return { token, cert, key, until };
  }

  private environment(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const { name, value } of this.exec.env) env[name] = value;
    const spec: Record<string, unknown> = { interactive: false };
    if (this.exec.provideClusterInfo) {
      spec.cluster = {
        server: this.cluster.server,
        ...(this.cluster.tlsServerName ? { 'tls-server-name': this.cluster.tlsServerName } : {}),
        ...(this.cluster.skipTLSVerify ? { 'insecure-skip-tls-verify': true } : {}),
        ...(this.cluster.caData ? { 'certificate-authority-data': this.cluster.caData } : {}),
      };
    }
    env.KUBERNETES_EXEC_INFO = JSON.stringify({ apiVersion: this.exec.apiVersion ?? defaultApiVersion, kind: 'ExecCredential', spec });
    return env;
  }

  /** A failure naming the plugin's command (never its arguments or output, which may hold secrets). */
  private failure(what: string): ClusterError {
    return new ClusterError('CredentialPluginFailed', `The credential plugin "${this.command}" of user "${this.userName}" ${what}`);
  }
}

/** Stops the plugin and its process group: SIGTERM, then SIGKILL when it is still there 2 s later. */
function stop(child: ChildProcess): void {
  const signal = (name: NodeJS.Signals): void => {
    try {
      if (process.platform !== 'win32' && child.pid !== undefined) process.kill(-child.pid, name);
      else child.kill(name);
    } catch {
      // Already gone.
    }
  };
  signal('SIGTERM');
  const kill = setTimeout(() => signal('SIGKILL'), 2000);
  kill.unref();
  child.once('close', () => clearTimeout(kill));
}
