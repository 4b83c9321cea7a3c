import { homedir } from 'os';
import * as path from 'path';
import type { DocumentStore } from './documentStore';
import { LocalCharts } from './node/localCharts';
import { RemoteChartLookup, type RepositoryInfo } from './node/remoteChartLookup';
import { RemoteChartCache } from './node/remoteCharts';
import { RegistryCredentials } from './node/registryCredentials';
import { configMapData } from './node/configMapContent';
import { BoundedMap } from './boundedMap';
import type { RegistryCredential } from './protocol';
import { releaseReference, type FileContext } from './service/features/fileDiagnostics';
import type { DocumentAnalysis } from './service/model/documentAnalysis';
import { ociArtifact, ociRepositoryChart, type ChartReference, type ChartValues, type ValuesFromContent } from './service/values/chartValues';
import { ChartBaselines } from './service/values/removedValues';
import type { WorkspaceSession } from './workspaceSession';
import type { ServerSubstitutions } from './substitutions';

export interface ChartHooks {
  /** What chart lookups answer may have changed. */
  changed(): void;
  log(message: string): void;
  /** A repository refused us (401/403): the user is told once per repository. */
  refused(url: string, status: number): void;
}

/** The chart lookups features use, as a part of their file context. */
export type ChartContext = Pick<FileContext, 'charts' | 'versions' | 'artifactVersions' | 'chartNames' | 'substitutions'>;

/**
 * Where each HelmRelease's chart comes from: a chart directory of the workspace, a Helm repository
 * or OCI registry (through the download cache), or an OCIRepository named by `chartRef`; with the
 * published versions and the chart names a repository lists.
 */
export class ChartResolution {
  /** Changes whenever chart lookups may answer differently; diagnostics that used a chart are then computed again. */
  generation = 0;
  trusted = false;
  readonly local: LocalCharts;
  /** For each open HelmRelease, the chart version it resolved to first, to compare values after a version change. */
  readonly baselines = new ChartBaselines();
  /** Credentials from the user's Helm/Docker config files, and those entered in the editor. */
  readonly credentials = new RegistryCredentials();
  private remote?: RemoteChartLookup;
  private cache?: RemoteChartCache;
  /** Repositories the user was told about (once each); the newest 256. */
  private readonly refusedReported = new BoundedMap<string, true>({ maxEntries: 256 });
  private readonly lensTitles = new WeakMap<DocumentAnalysis, { key: string; title: string | undefined }>();

  constructor(
    private readonly session: WorkspaceSession,
    private readonly store: DocumentStore,
    folders: () => string[],
    private readonly hooks: ChartHooks,
  ) {
    this.local = new LocalCharts(folders);
  }

  /** Remote charts need a cache folder (the extension's global storage) and, to download, a trusted workspace. */
  start(globalStoragePath: string | undefined, trusted: boolean): void {
    this.trusted = trusted;
    const cacheRoot = globalStoragePath ? path.join(globalStoragePath, 'charts') : path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'flux-helmrelease', 'charts');
    this.cache = new RemoteChartCache(cacheRoot);
    this.remote = new RemoteChartLookup(
      this.cache,
      this.local,
      {
        allowDownload: () => this.trusted,
        onChanged: () => this.changed(),
        log: this.hooks.log,
        onRefused: (url, status) => {
          if (this.refusedReported.has(url)) return;
          this.refusedReported.set(url, true);
          this.hooks.refused(url, status);
        },
      },
      this.credentials,
    );
  }

  changed(): void {
    this.generation++;
    this.hooks.changed();
  }

  /** The user trusted the workspace: charts may now be downloaded. */
  trust(): void {
    this.trusted = true;
    this.changed();
  }

  /** Credentials entered in the editor: charts refused before may be readable now, so try them again at once. */
  setEnteredCredentials(credentials: RegistryCredential[]): void {
    this.credentials.setEntered(credentials);
    this.refusedReported.clear();
    this.remote?.resetFailures();
    this.changed();
  }

  /** New versions may have been published: read every repository index again on next use. */
  refresh(): void {
    this.cache?.forgetIndexes();
    this.remote?.resetFailures();
    this.changed();
  }

  clearCache(): void {
    this.cache?.clear();
    this.changed();
  }

  /** The HelmRepository a release's chart comes from, as the workspace defines it. */
  repositoryOf(ref: ChartReference): RepositoryInfo | undefined {
    const { session } = this;
    if (!session.ready || ref.sourceKind !== 'HelmRepository' || !ref.sourceName) return undefined;
    const namespace = ref.sourceNamespace ?? session.index.namespaceOfFile(ref.uri);
    const repository = session.index.find('HelmRepository', ref.sourceName, namespace);
    const url = repository?.summary.find(([label]) => label === 'url')?.[1];
    return url ? { url, insecure: repository?.summary.some(([label, value]) => label === 'insecure' && value === 'true') } : undefined;
  }

  lookup(ref: ChartReference): ChartValues | undefined {
    return this.local.lookup(ref) ?? (ref.chartRef ? this.chartRefLookup(ref) : this.remote?.lookup(ref, this.repositoryOf(ref)));
  }

  /** A chart from the OCIRepository a release's `chartRef` names, through the same registry cache. */
  private chartRefLookup(ref: ChartReference): ChartValues | undefined {
    const { session } = this;
    if (!session.ready || ref.chartRef?.kind !== 'OCIRepository') return undefined;
    const namespace = ref.chartRef.namespace ?? session.index.namespaceOfFile(ref.uri);
    const source = session.index.find('OCIRepository', ref.chartRef.name, namespace);
    const field = (label: string) => source?.summary.find(([l]) => l === label)?.[1];
    const url = field('url');
    const target = url ? ociRepositoryChart(url, { semver: field('semver'), tag: field('tag') }) : undefined;
    if (!target) return undefined;
    return this.remote?.lookup({ ...ref, sourceKind: 'HelmRepository', chart: target.chart, version: target.version, chartRef: undefined }, { url: target.repository, insecure: field('insecure') === 'true' });
  }

  /** Post-build substitution (set by the server context); features get it with the chart lookups. */
  substitutions?: ServerSubstitutions;

  /** How features find charts and their versions, and the variables Kustomizations substitute. */
  readonly context: ChartContext = {
    substitutions: {
      forFile: (uri) => this.substitutions?.forFile(uri),
      forKustomization: (kustomization) => this.substitutions?.forKustomization(kustomization),
    },
    charts: (ref) => this.lookup(ref),
    // Published versions, from the cached repository index; a stale index is read again in the background.
    versions: (ref) => this.remote?.versions(this.repositoryOf(ref), ref.chart),
    // The tags of an OCIRepository's artifact (`oci://host/path/name`), from the cached tag list.
    artifactVersions: (url, insecure) => {
      const artifact = ociArtifact(url);
      return artifact ? this.remote?.versions({ url: artifact.repository, insecure }, artifact.chart) : undefined;
    },
    chartNames: (ref) => (ref.sourceKind === 'HelmRepository' ? this.remote?.chartNames(this.repositoryOf(ref)) : undefined),
  };

  /**
   * The content of a `valuesFrom` ConfigMap of a HelmRelease, found through the workspace index (open
   * editor text first). ConfigMaps are read from the release's namespace, as Flux does.
   */
  valuesFromContent(uri: string, writtenNamespace: string | undefined): ValuesFromContent | undefined {
    const { session } = this;
    if (!session.ready) return undefined;
    const namespace = writtenNamespace ?? session.index.namespaceOfFile(uri);
    return ({ kind, name, valuesKey }) => {
      if (kind !== 'ConfigMap') return undefined;
      const target = session.index.find('ConfigMap', name, namespace);
      return target ? configMapData(target, valuesKey, (u) => this.store.get(u)?.text.getText()) : undefined;
    };
  }

  /** The chart lens title of a HelmRelease, kept per document text while charts and its sources stay the same. */
  lensTitle(analysis: DocumentAnalysis, uri: string): string | undefined {
    const ref = releaseReference(analysis, uri);
    if (!ref) return undefined;
    const { session } = this;
    const index = session.ready ? `${session.index.structureRevision}:${session.index.revisionOf(ref.sourceName ?? '')}:${session.index.revisionOf(ref.chartRef?.name ?? '')}` : 'no index';
    const key = `${uri}|${this.generation}|${this.trusted}|${index}`;
    const known = this.lensTitles.get(analysis);
    if (known?.key === key) return known.title;
    const chart = this.lookup(ref);
    const repository = ref.sourceKind === 'HelmRepository' ? this.repositoryOf(ref) : undefined;
    const problem = repository && ref.chart ? this.remote?.problemOf(repository.url, ref.chart) : undefined;
    const title = chart
      ? `Chart ${chart.chart}${chart.version ? ` ${chart.version}` : ''} · ${chart.origin}`
      : problem
        ? `Chart not available: ${problem}`
        : repository
          ? this.trusted
            ? 'Chart: fetching…'
            : 'Chart not downloaded: the workspace is not trusted or helmRelease.charts.download is off'
          : undefined;
    this.lensTitles.set(analysis, { key, title });
    return title;
  }
}
