/** Custom messages between the extension and the language server; both sides import this file. */
import { RequestType } from 'vscode-languageserver-protocol';
import type { ManifestObject } from './service/features/objects';

export type { ManifestObject };

export interface ObjectsParams {
  /** A document open in the editor, as the client sent it in `didOpen`. */
  uri: string;
}

/**
 * Request `{ uri }` → the Kubernetes objects of that open document (apiVersion, kind, name,
 * namespace as written, and the line of the first key), in block or flow style; `[]` for a
 * document the server does not have. Objects whose name is unknown or a `${VAR}` are left out.
 *
 * `@__PURE__`: a bundle that uses only the other names of this file (the extension's first
 * bundle) then leaves the protocol library out (scripts/build.mjs). A bundle with its own copy of
 * the library must send `ObjectsRequest.method`: a type object of another copy is refused.
 */
export const ObjectsRequest = /* @__PURE__ */ new RequestType<ObjectsParams, ManifestObject[], void>('helmRelease/objects');

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
