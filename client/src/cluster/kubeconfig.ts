// Kubeconfig loading (files, merging as kubectl does, contexts) and connecting to a context.
import { existsSync } from 'node:fs';
import { KubeConfig, type Cluster, type Context, type User } from '@kubernetes/client-node';
import { ClusterConnection, type ConnectOptions } from './connection';
import { ClusterError, redact, safeUrl } from './errors';
import { execConfigOf, ExecCredentialPlugin, withoutExec } from './execCredentials';
import { kubeconfigFiles, type LoadOptions } from './kubeconfigFiles';

export { kubeconfigExists, kubeconfigFiles, type LoadOptions } from './kubeconfigFiles';

export interface ContextInfo {
  name: string;
  cluster: string;
  user: string;
  namespace: string | undefined;
  /** Server URL without user info. */
  server: string | undefined;
}

function describeLoadError(error: unknown): string {
  if (error instanceof Error) {
    // js-yaml errors carry a snippet of the file (which may hold a token): keep reason and line only.
    const mark = (error as Error & { mark?: { line?: number; column?: number } }).mark;
    const reason = (error as Error & { reason?: string }).reason;
    if (reason !== undefined) {
      return mark?.line !== undefined ? `${reason} (line ${mark.line + 1}, column ${(mark.column ?? 0) + 1})` : reason;
    }
    return redact(error.message.split('\n')[0] ?? 'unreadable');
  }
  return 'unreadable';
}

/** Loads and merges kubeconfig files (first file wins for duplicate names, like kubectl). */
export function loadKubeconfig(options: LoadOptions = {}): Kubeconfig {
  const candidates = kubeconfigFiles(options);
  const files = candidates.filter((file) => existsSync(file));
  if (files.length === 0) {
    throw new ClusterError('KubeconfigNotFound', `No kubeconfig found (looked at ${candidates.join(', ')}).`);
  }
  const clusters = new Map<string, Cluster>();
  const users = new Map<string, User>();
  const userFiles = new Map<string, string>();
  const contexts = new Map<string, Context>();
  let currentContext: string | undefined;
  for (const file of files) {
    const kc = new KubeConfig();
    try {
      kc.loadFromFile(file);
    } catch (error) {
      throw new ClusterError('KubeconfigInvalid', `The kubeconfig ${file} could not be read: ${describeLoadError(error)}`);
    }
    for (const cluster of kc.getClusters()) if (!clusters.has(cluster.name)) clusters.set(cluster.name, cluster);
    for (const user of kc.getUsers()) {
      if (users.has(user.name)) continue;
      users.set(user.name, user);
      userFiles.set(user.name, file);
    }
    for (const context of kc.getContexts()) if (!contexts.has(context.name)) contexts.set(context.name, context);
    const current = kc.getCurrentContext();
    if (currentContext === undefined && typeof current === 'string' && current !== '') currentContext = current;
  }
  return new Kubeconfig(files, [...clusters.values()], [...users.values()], [...contexts.values()], currentContext, userFiles);
}

export class Kubeconfig {
  constructor(
    readonly files: readonly string[],
    private readonly clusters: readonly Cluster[],
    private readonly users: readonly User[],
    private readonly contextList: readonly Context[],
    readonly currentContext: string | undefined,
    /** The file that defines each user (a relative exec plugin command is resolved from its directory). */
    private readonly userFiles: ReadonlyMap<string, string> = new Map(),
  ) {}

  contexts(): ContextInfo[] {
    return this.contextList.map((context) => {
      const cluster = this.clusters.find((c) => c.name === context.cluster);
      return {
        name: context.name,
        cluster: context.cluster,
        user: context.user,
        namespace: context.namespace,
        server: cluster ? safeUrl(cluster.server) : undefined,
      };
    });
  }

  /** A connection for `context` (default: the current context). */
  connect(context?: string, options: ConnectOptions = {}): ClusterConnection {
    const name = context ?? this.currentContext;
    if (name === undefined) {
      throw new ClusterError('ContextNotFound', `The kubeconfig (${this.files.join(', ')}) has no current context; pick one of: ${this.contextNames()}.`);
    }
    const ctx = this.contextList.find((c) => c.name === name);
    if (!ctx) {
      throw new ClusterError('ContextNotFound', `The context "${name}" does not exist in ${this.files.join(', ')}; known contexts: ${this.contextNames()}.`);
    }
    const cluster = this.clusters.find((c) => c.name === ctx.cluster);
    if (!cluster) {
      throw new ClusterError('KubeconfigInvalid', `The context "${name}" refers to the cluster "${ctx.cluster}", which is not defined.`);
    }
    const user = this.users.find((u) => u.name === ctx.user);
    const kc = new KubeConfig();
    // client-node refuses plain-HTTP servers unless skipTLSVerify is set (kubectl allows them; TLS
    // verification means nothing without TLS).
    const usable: Cluster = cluster.server.startsWith('http:') && !cluster.skipTLSVerify ? { ...cluster, skipTLSVerify: true } : cluster;
    // An exec plugin runs here (timeout, reuse), not in client-node: see execCredentials.ts.
    const exec = execConfigOf(user);
    const plugin = user && exec ? new ExecCredentialPlugin(exec, user.name, usable, this.userFiles.get(user.name), options.exec) : undefined;
    kc.loadFromOptions({ clusters: [usable], users: user ? [plugin ? withoutExec(user) : user] : [], contexts: [ctx], currentContext: name });
    if (plugin) kc.addAuthenticator(plugin.authenticator());
    return new ClusterConnection(kc, name, cluster.server, ctx.namespace ?? 'default', secretsOf(user), options, plugin);
  }

  private contextNames(): string {
    return this.contextList.length > 0 ? this.contextList.map((c) => c.name).join(', ') : '(none)';
  }
}

function secretsOf(user: User | undefined): string[] {
  if (!user) return [];
  return [user.token, user.password, user.keyData, user.certData].filter((value): value is string => typeof value === 'string' && value !== '');
}
