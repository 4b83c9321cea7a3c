// The cluster core: kubeconfig + REST client, watch cache, status helpers, Flux actions.
// Pure Node (no `vscode` import), so it is testable without VS Code.
export * from './types';
export * from './errors';
export * from './connection';
export * from './kubeconfig';
export * from './execCredentials';
export * from './events';
export * from './backoff';
export * from './resourceCache';
export * from './status';
export * from './actions';
export * from './inventory';
export * from './dependencyGraph';
