// Where a kubeconfig is read from. Its own module, without the Kubernetes client, so that the
// extension can tell whether a kubeconfig exists before it loads the cluster side.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

export interface LoadOptions {
  /** An explicit kubeconfig file; wins over KUBECONFIG and the default. */
  path?: string;
  /** The environment to read KUBECONFIG from (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** Home directory for `~/.kube/config` (default `os.homedir()`). */
  homeDir?: string;
}

/** The files a kubeconfig would be read from, in precedence order (as kubectl does). */
export function kubeconfigFiles(options: LoadOptions = {}): string[] {
  if (options.path !== undefined && options.path !== '') return [options.path];
  const env = options.env ?? process.env;
  const variable = env.KUBECONFIG;
  if (variable !== undefined && variable.trim() !== '') {
    return variable.split(delimiter).filter((file) => file.trim() !== '');
  }
  return [join(options.homeDir ?? homedir(), '.kube', 'config')];
}

/** Whether any of those files exists. */
export function kubeconfigExists(options: LoadOptions = {}): boolean {
  return kubeconfigFiles(options).some((file) => existsSync(file));
}
