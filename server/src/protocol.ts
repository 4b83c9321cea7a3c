/**
 * Custom messages between the extension and the language server, typed; both sides import this
 * file. Each type is `@__PURE__`: the extension's first bundle, which uses only the types of this
 * file, then leaves the protocol library out (scripts/build.mjs); the messages are sent from the
 * language client's bundle.
 */
import { NotificationType, NotificationType0, RequestType } from 'vscode-languageserver-protocol';
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
 */
export const ObjectsRequest = /* @__PURE__ */ new RequestType<ObjectsParams, ManifestObject[], void>('helmRelease/objects');

export interface EffectiveValuesParams {
  uri: string;
  position: { line: number; character: number };
}

export type EffectiveValuesResult = { title: string; text: string } | { error: string };

/** Request `{ uri, position }` → the effective values of the HelmRelease there. */
export const EFFECTIVE_VALUES_REQUEST = /* @__PURE__ */ new RequestType<EffectiveValuesParams, EffectiveValuesResult, void>('helmRelease/effectiveValues');

export interface IndexStatus {
  state: 'indexing' | 'ready';
  files: number;
  durationMs?: number;
  skipped?: number;
  problems?: number;
}

/** Notification from the server: how far indexing the workspace has come. */
export const INDEX_STATUS = /* @__PURE__ */ new NotificationType<IndexStatus>('helmRelease/indexStatus');

/** Notification from the client: the user trusted the workspace, so charts may be downloaded. */
export const TRUST_GRANTED = /* @__PURE__ */ new NotificationType0('helmRelease/trustGranted');

/**
 * Notification from the client: `{ sealed }`, the credentials the user entered for chart
 * repositories (a `RegistryCredential[]` sealed with `sealed.ts`). Each message replaces the last.
 */
export const REGISTRY_CREDENTIALS = /* @__PURE__ */ new NotificationType<{ sealed: string }>('helmRelease/registryCredentials');

export interface RegistryCredential {
  /** `oci://host[/path]` or `https://host[/path]`: applies to every repository URL under it. */
  url: string;
  username: string;
  password: string;
}

export interface CredentialsNeeded {
  url: string;
  status: number;
}

/** Notification from the server: a chart repository refused us (401/403). */
export const CREDENTIALS_NEEDED = /* @__PURE__ */ new NotificationType<CredentialsNeeded>('helmRelease/credentialsNeeded');
