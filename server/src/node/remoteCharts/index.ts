export { RemoteChartCache, normalizeUrl, type ChartKey, type ChartSource, type RemoteChartCacheOptions, type ResolvedChart } from './cache';
export { RemoteChartError, displayUrl, type RemoteChartErrorKind } from './errors';
export { extractChartArchive, type ExtractLimits, type ExtractedChart } from './extract';
export type { BasicAuth } from './fetchUtil';
export { chartDownloadUrl, downloadChartArchive, fetchRepositoryIndex, indexUrl, parseRepositoryIndex, resolveChartVersion, type ChartVersionEntry, type HttpRepositoryOptions, type RepositoryIndex } from './httpRepository';
export { OciClient, chartVersionsFromTags, ociChartRef, parseChallenge, resolveOciVersion, tagOfVersion, type OciChartRef, type OciOptions } from './ociRegistry';
