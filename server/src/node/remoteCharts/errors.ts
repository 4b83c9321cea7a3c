/** Why a remote chart could not be resolved, downloaded or unpacked. */
export type RemoteChartErrorKind =
  | 'timeout'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'http'
  | 'network'
  | 'too-large'
  | 'invalid-index'
  | 'no-version'
  | 'digest-mismatch'
  | 'archive'
  | 'unsupported';

/** An error whose message is safe to show users: it never contains credentials. */
export class RemoteChartError extends Error {
  constructor(
    readonly kind: RemoteChartErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'RemoteChartError';
  }
}

/** The URL without user info, query and fragment, for messages. */
export function displayUrl(url: string | URL): string {
  try {
    const u = new URL(String(url));
    u.username = '';
    u.password = '';
    u.search = '';
    u.hash = '';
    return u.toString();
  } catch {
    return '<invalid URL>';
  }
}
