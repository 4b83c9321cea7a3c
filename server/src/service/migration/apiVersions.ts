/**
 * Which API versions of the Flux kinds we know are served, deprecated or gone, per Flux minor release.
 *
 * Source: /work/shared/docs/flux-api-notes.md §a ("Served versions over time", computed from each
 * controller tag's generated CRD) and the Flux release ↔ controller table at the top of that file.
 * Where the notes leave room for two readings, the comment at the entry says which one is used.
 */

export const HELM_GROUP = 'helm.toolkit.fluxcd.io';
export const SOURCE_GROUP = 'source.toolkit.fluxcd.io';
export const KUSTOMIZE_GROUP = 'kustomize.toolkit.fluxcd.io';
export const NOTIFICATION_GROUP = 'notification.toolkit.fluxcd.io';
export const IMAGE_GROUP = 'image.toolkit.fluxcd.io';
export const SOURCE_EXTENSIONS_GROUP = 'source.extensions.fluxcd.io';

/** The Flux minor releases the table covers, oldest first. */
export const KNOWN_FLUX_VERSIONS = ['2.3', '2.4', '2.5', '2.6', '2.7', '2.8', '2.9'] as const;
export type KnownFluxVersion = (typeof KNOWN_FLUX_VERSIONS)[number];
export const NEWEST_FLUX_VERSION: KnownFluxVersion = '2.9';

export type Controller = 'helm-controller' | 'source-controller' | 'kustomize-controller' | 'source-watcher' | 'notification-controller' | 'image-reflector-controller' | 'image-automation-controller';

/**
 * Controller versions shipped with each Flux `x.y.0` release (notes, top: "Flux release ↔ controller
 * versions", from `flux2/manifests/bases/*\/kustomization.yaml`). 2.0 is not in that list: it is here
 * only to name when GitRepository v1 became the storage version (source-controller v1.0.0 is the
 * first of the "v1.0.x – v1.2.x" row; Flux 2.0.0 shipped it).
 */
export const FLUX_RELEASES: Readonly<Record<string, Readonly<Partial<Record<Controller, string>>>>> = {
  '2.0': { 'helm-controller': '0.35.0', 'source-controller': '1.0.0' },
  '2.3': { 'helm-controller': '1.0.1', 'source-controller': '1.3.0' },
  '2.4': { 'helm-controller': '1.1.0', 'source-controller': '1.4.1' },
  '2.5': { 'helm-controller': '1.2.0', 'source-controller': '1.5.0' },
  '2.6': { 'helm-controller': '1.3.0', 'source-controller': '1.6.0' },
  // kustomize-controller: the releases that dropped its beta versions (removed-APIs notes, §1).
  // notification and image controllers: the releases that dropped their beta versions (removed-APIs notes, §1).
  '2.7': { 'helm-controller': '1.4.0', 'source-controller': '1.7.0', 'kustomize-controller': '1.7.0', 'notification-controller': '1.7.0', 'image-reflector-controller': '1.0.0', 'image-automation-controller': '1.0.0' },
  '2.8': { 'helm-controller': '1.5.0', 'source-controller': '1.8.0', 'kustomize-controller': '1.8.0' },
  '2.9': { 'helm-controller': '1.6.1', 'source-controller': '1.9.1', 'notification-controller': '1.9.0', 'image-reflector-controller': '1.2.0', 'image-automation-controller': '1.2.0' },
};

/** One API version of one kind: when it appeared, was deprecated and stopped being served. */
export interface VersionHistory {
  apiVersion: string;
  /** First Flux minor release serving it; absent = already served before 2.3 (the first known release). */
  introducedIn?: string;
  /** First Flux minor release in which the CRD marks it deprecated; absent = never deprecated. */
  deprecatedIn?: string;
  /** First Flux minor release whose CRD no longer has it; absent = still served by the newest release. */
  removedIn?: string;
}

export interface KindHistory {
  kind: string;
  controller: Controller;
  /** The GA version current Flux serves, e.g. `helm.toolkit.fluxcd.io/v2`. */
  servedVersion: string;
  /** Oldest first. */
  versions: readonly VersionHistory[];
}

const HR_V2 = `${HELM_GROUP}/v2`;
const HR_V2BETA2 = `${HELM_GROUP}/v2beta2`;
const HR_V2BETA1 = `${HELM_GROUP}/v2beta1`;
const SRC_V1 = `${SOURCE_GROUP}/v1`;
const SRC_V1BETA2 = `${SOURCE_GROUP}/v1beta2`;
const SRC_V1BETA1 = `${SOURCE_GROUP}/v1beta1`;
const KS_V1 = `${KUSTOMIZE_GROUP}/v1`;

/*
 * Reading of the source table in the notes: a cell "same" repeats the cell *above it* in the same
 * column. That is the only reading that works for the v1.4.x row, where HelmChart says "same" next to
 * OCIRepository's "v1beta2 storage" (HelmChart was already v1 storage since v1.3.0). Applied to the
 * v1.7.x row, only HelmRepository lost v1beta1 in source-controller 1.7.0 ("v1beta1 removed" is
 * written in its cell alone); GitRepository, HelmChart and Bucket keep v1beta1 (deprecated) until the
 * v1.8.0 row, "v1 only". The other reading ("same" = the cell to its left) would remove v1beta1 of
 * all three kinds in 2.7 as well.
 */
export const API_VERSION_TABLE: readonly KindHistory[] = [
  {
    kind: 'HelmRelease',
    controller: 'helm-controller',
    servedVersion: HR_V2,
    versions: [
      // Deprecated in every row of the table (helm-controller v1.0.0 – v1.3.0 = Flux 2.3 – 2.6). The
      // notes do not say whether v0.37 (Flux 2.2, when v2beta2 arrived) already marked v2beta1
      // deprecated, so 2.3 is the earliest release we can name; before it we report it as served.
      { apiVersion: HR_V2BETA1, deprecatedIn: '2.3', removedIn: '2.7' },
      // v2beta2 was the storage version in v0.37 (Flux 2.2) and deprecated once v2 arrived (1.0.0).
      { apiVersion: HR_V2BETA2, deprecatedIn: '2.3', removedIn: '2.8' },
      { apiVersion: HR_V2, introducedIn: '2.3' },
    ],
  },
  {
    kind: 'HelmRepository',
    controller: 'source-controller',
    servedVersion: SRC_V1,
    versions: [
      // v1.0.x – v1.2.x: "v1beta2 storage, v1beta1" (not deprecated); v1.3.0: both deprecated;
      // v1.7.x: "v1beta1 removed".
      { apiVersion: SRC_V1BETA1, deprecatedIn: '2.3', removedIn: '2.7' },
      { apiVersion: SRC_V1BETA2, deprecatedIn: '2.3', removedIn: '2.8' },
      { apiVersion: SRC_V1, introducedIn: '2.3' },
    ],
  },
  {
    kind: 'GitRepository',
    controller: 'source-controller',
    servedVersion: SRC_V1,
    versions: [
      // v1 storage with both betas deprecated already in v1.0.x (Flux 2.0). v1beta1: see the
      // "same" reading above — removed with v1beta2 in 2.8, not in 2.7.
      { apiVersion: SRC_V1BETA1, deprecatedIn: '2.0', removedIn: '2.8' },
      { apiVersion: SRC_V1BETA2, deprecatedIn: '2.0', removedIn: '2.8' },
      { apiVersion: SRC_V1 },
    ],
  },
  {
    kind: 'OCIRepository',
    controller: 'source-controller',
    servedVersion: SRC_V1,
    versions: [
      // OCIRepository never had v1beta1. v1beta2 was the storage version until v1.6.x (Flux 2.6).
      { apiVersion: SRC_V1BETA2, deprecatedIn: '2.6', removedIn: '2.8' },
      { apiVersion: SRC_V1, introducedIn: '2.6' },
    ],
  },
  {
    kind: 'HelmChart',
    controller: 'source-controller',
    servedVersion: SRC_V1,
    versions: [
      // v1.3.0: "v1 storage, v1beta2/v1beta1 deprecated"; v1beta1 kept until 2.8 (the "same" reading).
      { apiVersion: SRC_V1BETA1, deprecatedIn: '2.3', removedIn: '2.8' },
      { apiVersion: SRC_V1BETA2, deprecatedIn: '2.3', removedIn: '2.8' },
      { apiVersion: SRC_V1, introducedIn: '2.3' },
    ],
  },
  {
    kind: 'Bucket',
    controller: 'source-controller',
    servedVersion: SRC_V1,
    versions: [
      // v1.3.0: "v1beta2 storage, v1beta1 deprecated"; v1.4.x: "v1 storage" (so v1beta2 deprecated
      // from Flux 2.4); v1beta1 kept until 2.8 (the "same" reading).
      { apiVersion: SRC_V1BETA1, deprecatedIn: '2.3', removedIn: '2.8' },
      { apiVersion: SRC_V1BETA2, deprecatedIn: '2.4', removedIn: '2.8' },
      { apiVersion: SRC_V1, introducedIn: '2.4' },
    ],
  },
  {
    kind: 'ExternalArtifact',
    controller: 'source-controller',
    servedVersion: SRC_V1,
    // "exists from source-controller v1.7.0", only as v1.
    versions: [{ apiVersion: SRC_V1, introducedIn: '2.7' }],
  },
  {
    kind: 'Kustomization',
    controller: 'kustomize-controller',
    servedVersion: KS_V1,
    versions: [
      // Removed-APIs notes §1: both betas deprecated already in Flux 2.0 (v1 storage); v1beta1
      // removed in 2.7 (kustomize-controller 1.7.0), v1beta2 in 2.8 (1.8.0).
      { apiVersion: `${KUSTOMIZE_GROUP}/v1beta1`, deprecatedIn: '2.0', removedIn: '2.7' },
      { apiVersion: `${KUSTOMIZE_GROUP}/v1beta2`, deprecatedIn: '2.0', removedIn: '2.8' },
      { apiVersion: KS_V1 },
    ],
  },
  {
    kind: 'ArtifactGenerator',
    controller: 'source-watcher',
    servedVersion: `${SOURCE_EXTENSIONS_GROUP}/v1beta1`,
    // Served since Flux 2.7 (source-watcher 2.x), only as v1beta1.
    versions: [{ apiVersion: `${SOURCE_EXTENSIONS_GROUP}/v1beta1`, introducedIn: '2.7' }],
  },
  // Notification and image kinds: removed-APIs notes §1, per-kind table. Alert and Provider stay at
  // v1beta3 (no v1 exists); v1beta3 became storage in Flux 2.2, with both betas deprecated.
  ...['Alert', 'Provider'].map((kind): KindHistory => ({
    kind,
    controller: 'notification-controller',
    servedVersion: `${NOTIFICATION_GROUP}/v1beta3`,
    versions: [
      { apiVersion: `${NOTIFICATION_GROUP}/v1beta1`, deprecatedIn: '2.2', removedIn: '2.7' },
      { apiVersion: `${NOTIFICATION_GROUP}/v1beta2`, deprecatedIn: '2.2', removedIn: '2.9' },
      { apiVersion: `${NOTIFICATION_GROUP}/v1beta3`, introducedIn: '2.2' },
    ],
  })),
  {
    kind: 'Receiver',
    controller: 'notification-controller',
    servedVersion: `${NOTIFICATION_GROUP}/v1`,
    // v1 storage with both betas deprecated already in Flux 2.0.
    versions: [
      { apiVersion: `${NOTIFICATION_GROUP}/v1beta1`, deprecatedIn: '2.0', removedIn: '2.7' },
      { apiVersion: `${NOTIFICATION_GROUP}/v1beta2`, deprecatedIn: '2.0', removedIn: '2.9' },
      { apiVersion: `${NOTIFICATION_GROUP}/v1` },
    ],
  },
  // ImageRepository and ImagePolicy: v1beta2 storage (v1beta1 not deprecated) until Flux 2.7, which
  // brought v1, deprecated v1beta2 and dropped v1beta1; v1beta2 gone in 2.9.
  ...['ImageRepository', 'ImagePolicy'].map((kind): KindHistory => ({
    kind,
    controller: 'image-reflector-controller',
    servedVersion: `${IMAGE_GROUP}/v1`,
    versions: [
      { apiVersion: `${IMAGE_GROUP}/v1beta1`, removedIn: '2.7' },
      { apiVersion: `${IMAGE_GROUP}/v1beta2`, deprecatedIn: '2.7', removedIn: '2.9' },
      { apiVersion: `${IMAGE_GROUP}/v1`, introducedIn: '2.7' },
    ],
  })),
  {
    kind: 'ImageUpdateAutomation',
    controller: 'image-automation-controller',
    servedVersion: `${IMAGE_GROUP}/v1`,
    // v1beta1 storage until Flux 2.3 brought v1beta2 (v1beta1 deprecated); 2.7: v1, v1beta1 removed.
    versions: [
      { apiVersion: `${IMAGE_GROUP}/v1beta1`, deprecatedIn: '2.3', removedIn: '2.7' },
      { apiVersion: `${IMAGE_GROUP}/v1beta2`, introducedIn: '2.3', deprecatedIn: '2.7', removedIn: '2.9' },
      { apiVersion: `${IMAGE_GROUP}/v1`, introducedIn: '2.7' },
    ],
  },
];

export type ApiVersionState = 'served' | 'deprecated' | 'removed' | 'unknown';

export interface ApiVersionStatus {
  status: ApiVersionState;
  /**
   * The version to write instead: the served, non-deprecated version of the kind at that Flux release
   * (e.g. `helm.toolkit.fluxcd.io/v2`; for an OCIRepository at Flux 2.5 it is still `v1beta2`). For a
   * served version that is its own value. Empty when the kind is not a Flux kind we know.
   */
  replacement: string;
  /**
   * E.g. `Flux 2.8 (helm-controller 1.5.0)`: the release that stopped serving it. Set when the status
   * is `removed`, and also when it is `deprecated` (then it names the coming removal).
   */
  removedIn?: string;
  /** E.g. `Flux 2.3 (helm-controller 1.0.1)`; set when the version is deprecated or removed by then. */
  deprecatedIn?: string;
}

/** `[major, minor]` of `2.9`, `v2.9.4`, `2.10`; undefined when it is not a version. */
function parseFluxVersion(version: string): [number, number] | undefined {
  const match = /^\s*v?(\d+)\.(\d+)(?:\.\d+)?(?:[-+].*)?\s*$/.exec(version);
  if (!match) return undefined;
  return [Number(match[1]), Number(match[2])];
}

function compareVersions(a: [number, number], b: [number, number]): number {
  return a[0] !== b[0] ? a[0] - b[0] : a[1] - b[1];
}

/** Whether Flux `version` is `release` or later. */
function atLeast(version: [number, number], release: string): boolean {
  const r = parseFluxVersion(release);
  return r !== undefined && compareVersions(version, r) >= 0;
}

/** `Flux 2.8 (helm-controller 1.5.0)`. */
export function releaseName(fluxMinor: string, controller: Controller): string {
  const shipped = FLUX_RELEASES[fluxMinor]?.[controller];
  return shipped ? `Flux ${fluxMinor} (${controller} ${shipped})` : `Flux ${fluxMinor}`;
}

export function kindHistory(kind: string): KindHistory | undefined {
  return API_VERSION_TABLE.find((k) => k.kind === kind);
}

function stateAt(entry: VersionHistory, version: [number, number]): ApiVersionState {
  if (entry.introducedIn && !atLeast(version, entry.introducedIn)) return 'unknown';
  if (entry.removedIn && atLeast(version, entry.removedIn)) return 'removed';
  if (entry.deprecatedIn && atLeast(version, entry.deprecatedIn)) return 'deprecated';
  return 'served';
}

/** The API versions of `kind` that Flux `fluxVersion` serves (deprecated ones included), oldest first. */
export function servedApiVersions(kind: string, fluxVersion: string = NEWEST_FLUX_VERSION): string[] {
  const history = kindHistory(kind);
  if (!history) return [];
  const version = parseFluxVersion(fluxVersion) ?? (parseFluxVersion(NEWEST_FLUX_VERSION) as [number, number]);
  return history.versions.filter((v) => {
    const state = stateAt(v, version);
    return state === 'served' || state === 'deprecated';
  }).map((v) => v.apiVersion);
}

/**
 * Whether Flux `fluxVersion` (a minor release such as `2.7`; `v2.7.1` is read as 2.7; anything that
 * is not a version means the newest) serves `apiVersion` for `kind`.
 *
 * - `served`: served and not deprecated; `deprecated`: served with a deprecation warning;
 * - `removed`: the kind had this version once and this release no longer serves it;
 * - `unknown`: the kind never had this version (OCIRepository v1beta1, ExternalArtifact v1beta2, a
 *   version of another group), the version does not exist yet in that release (ExternalArtifact
 *   before 2.7, OCIRepository v1 before 2.6), or the kind is not one we know.
 *
 * Releases before 2.3 are answered from the same table, which does not cover them well (it only
 * knows what happened from 2.3 on, plus GitRepository's v1 in 2.0).
 */
export function apiVersionStatus(apiVersion: string, kind: string, fluxVersion: string = NEWEST_FLUX_VERSION): ApiVersionStatus {
  const history = kindHistory(kind);
  if (!history) return { status: 'unknown', replacement: '' };
  const version = parseFluxVersion(fluxVersion) ?? (parseFluxVersion(NEWEST_FLUX_VERSION) as [number, number]);
  const preferred = [...history.versions].reverse().find((v) => stateAt(v, version) === 'served');
  const replacement = preferred?.apiVersion ?? history.servedVersion;
  const entry = history.versions.find((v) => v.apiVersion === apiVersion.trim());
  if (!entry) return { status: 'unknown', replacement };
  const status = stateAt(entry, version);
  const result: ApiVersionStatus = { status, replacement };
  if ((status === 'deprecated' || status === 'removed') && entry.deprecatedIn) result.deprecatedIn = releaseName(entry.deprecatedIn, history.controller);
  if ((status === 'deprecated' || status === 'removed') && entry.removedIn) result.removedIn = releaseName(entry.removedIn, history.controller);
  return result;
}
