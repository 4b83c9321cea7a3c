/** Custom messages between the extension and the language server; both sides import this file. */

/** Request `{ uri, position }` → the effective values of the HelmRelease there. */
export const EFFECTIVE_VALUES_REQUEST = 'helmRelease/effectiveValues';

export type EffectiveValuesResult = { title: string; text: string } | { error: string };

/** Notification from the server: `{ state: 'indexing' | 'ready', files, durationMs }`. */
export const INDEX_STATUS = 'helmRelease/indexStatus';

/** Notification from the client: the user trusted the workspace, so charts may be downloaded. */
export const TRUST_GRANTED = 'helmRelease/trustGranted';
