/** Custom messages between the extension and the language server; both sides import this file. */

/** Request `{ uri, position }` → the effective values of the HelmRelease there. */
export const EFFECTIVE_VALUES_REQUEST = 'helmRelease/effectiveValues';

export type EffectiveValuesResult = { title: string; text: string } | { error: string };

/** Notification from the server: `{ state: 'indexing' | 'ready', files, durationMs }`. */
export const INDEX_STATUS = 'helmRelease/indexStatus';

/** Notification from the client: the user trusted the workspace, so charts may be downloaded. */
export const TRUST_GRANTED = 'helmRelease/trustGranted';

/**
 * Notification from the client: `{ sealed }`, the credentials the user entered for chart
 * repositories (a `RegistryCredential[]` sealed with `sealed.ts`). Each message replaces the last.
 */
export const REGISTRY_CREDENTIALS = 'helmRelease/registryCredentials';

export interface RegistryCredential {
  /** `oci://host[/path]` or `https://host[/path]`: applies to every repository URL under it. */
  url: string;
  username: string;
  password: string;
}

/** Notification from the server: `{ url, status }`, a chart repository refused us (401/403). */
export const CREDENTIALS_NEEDED = 'helmRelease/credentialsNeeded';

export interface CredentialsNeeded {
  url: string;
  status: number;
}
