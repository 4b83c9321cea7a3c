// Typed errors of the cluster core. Messages never contain credentials: see `redact`.

export type ClusterErrorCode =
  | 'KubeconfigNotFound'
  | 'KubeconfigInvalid'
  | 'ContextNotFound'
  | 'Unreachable'
  | 'Timeout'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'FluxNotInstalled'
  | 'Conflict'
  | 'Gone'
  | 'CredentialPluginFailed'
  | 'ApiError';

export class ClusterError extends Error {
  override readonly name: string = 'ClusterError';
  constructor(
    readonly code: ClusterErrorCode,
    message: string,
    /** HTTP status when the error came from the API server. */
    readonly status?: number,
  ) {
    super(message);
  }
}

/** `flux reconcile` on a suspended object: the UI offers Resume. */
export class SuspendedError extends Error {
  override readonly name: string = 'SuspendedError';
  constructor(
    readonly kind: string,
    readonly namespace: string,
    readonly objectName: string,
  ) {
    super(`${kind} ${namespace}/${objectName}: resource is suspended`);
  }
}

/** The object's controller reported a failure (Stalled, or Ready≠True when the wait ended). */
export class ReconcileFailedError extends Error {
  override readonly name: string = 'ReconcileFailedError';
  constructor(
    message: string,
    /** The Ready (or Stalled) condition message, as the controller wrote it. */
    readonly conditionMessage: string | undefined,
  ) {
    super(message);
  }
}

/** The controller did not handle the request (or finish) before the timeout. */
export class ReconcileTimeoutError extends Error {
  override readonly name: string = 'ReconcileTimeoutError';
}

const secretPatterns: RegExp[] = [
  /(bearer\s+)[A-Za-z0-9._~+/=-]+/gi,
  /((?:token|password|client-key-data|client-certificate-data|id-token|refresh-token|access-token)["']?\s*[:=]\s*["']?)[^\s"',}]+/gi,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g,
];

/** Removes anything that looks like a credential, plus the given secret values, from a message. */
export function redact(message: string, secrets: readonly string[] = []): string {
  let text = message;
  for (const secret of secrets) {
    if (secret.length >= 4) text = text.split(secret).join('<redacted>');
  }
  for (const pattern of secretPatterns) {
    text = text.replace(pattern, (_match: string, prefix: string | undefined) =>
      typeof prefix === 'string' && !prefix.startsWith('-----') ? `${prefix}<redacted>` : '<redacted private key>',
    );
  }
  return text;
}

/** A URL without user info, query or fragment (for messages). */
export function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    return '<invalid server URL>';
  }
}
