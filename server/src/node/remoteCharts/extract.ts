import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'fs';
import * as path from 'path';
import { randomBytes } from 'crypto';
import { createGunzip } from 'zlib';
import { extract as tarExtract, type Extract } from 'tar-stream';
import { RemoteChartError } from './errors';

export interface ExtractLimits {
  /** Most tar entries in the archive (nested subchart archives count too). Default 10 000. */
  maxEntries?: number;
  /** Most bytes of the unpacked tar stream(s), all nested archives together. Default 100 MB. */
  maxBytes?: number;
}

export interface ExtractedChart {
  /** The chart directory (the target directory). */
  directory: string;
  /** The top-level directory name of the archive (the chart name). */
  name: string;
  /** Relative paths of the files written, `/`-separated, sorted. */
  files: string[];
}

const DEFAULT_MAX_ENTRIES = 10_000;
const DEFAULT_MAX_BYTES = 100 * 1024 * 1024;
const MAX_NESTING = 3;

interface Budget {
  entries: number;
  bytes: number;
  readonly maxEntries: number;
  readonly maxBytes: number;
}

/**
 * Unpacks a packaged chart (`.tgz`) into `targetDir` as a chart directory: the archive's top-level
 * `<chart>/` directory is stripped; only Chart.yaml, values.yaml, values.schema.json, other JSON
 * files (for `$ref`s) and the `charts/` subtree are written (templates are skipped). Packaged
 * subcharts (`charts/<x>.tgz`) become `charts/<name>/`. Links, devices, absolute paths and `..`
 * segments are rejected. The archive is read completely before anything is written; the files are
 * written to a temporary sibling directory that is then renamed to `targetDir`, so a failure leaves
 * nothing behind and readers never see a half-written chart. An existing `targetDir` is replaced.
 * Decompression is streamed (zlib works off the main thread, chunk by chunk), so a large archive
 * does not hold up the language server, and stops as soon as a limit is passed.
 */
export async function extractChartArchive(archive: Uint8Array, targetDir: string, limits: ExtractLimits = {}): Promise<ExtractedChart> {
  const budget: Budget = { entries: 0, bytes: 0, maxEntries: limits.maxEntries ?? DEFAULT_MAX_ENTRIES, maxBytes: limits.maxBytes ?? DEFAULT_MAX_BYTES };
  const files = new Map<string, Buffer>();
  const name = await collectChart(archive, '', 0, budget, files);
  const target = path.resolve(targetDir);
  const parent = path.dirname(target);
  mkdirSync(parent, { recursive: true });
  const temp = path.join(parent, `.${path.basename(target)}.partial-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    mkdirSync(temp);
    for (const [relative, content] of files) {
      const file = path.resolve(temp, ...relative.split('/'));
      if (!file.startsWith(temp + path.sep)) throw new RemoteChartError('archive', `the chart archive has an entry outside the chart: ${relative}`);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, content);
    }
    if (existsSync(target)) {
      const old = `${temp}.old`;
      renameSync(target, old);
      renameSync(temp, target);
      rmSync(old, { recursive: true, force: true });
    } else {
      renameSync(temp, target);
    }
  } catch (error) {
    rmSync(temp, { recursive: true, force: true });
    throw error;
  }
  return { directory: target, name, files: [...files.keys()].sort() };
}

/** Gunzips and reads one chart archive into `files` under `prefix`; returns its top-level directory name. */
async function collectChart(archive: Uint8Array, prefix: string, depth: number, budget: Budget, files: Map<string, Buffer>): Promise<string> {
  let top: string | undefined;
  const nested: Array<{ file: string; content: Buffer }> = [];
  const extractor = tarExtract();
  const reading = (async () => {
    for await (const entry of extractor) {
      const header = entry.header;
      budget.entries++;
      if (budget.entries > budget.maxEntries) throw new RemoteChartError('too-large', `the chart archive has more than ${budget.maxEntries} entries`);
      const segments = safeSegments(header.name);
      if (header.type === 'symlink' || header.type === 'link') throw new RemoteChartError('archive', `the chart archive contains a link (${header.name}); charts with links are not unpacked`);
      if (header.type !== 'file' && header.type !== 'contiguous-file' && header.type !== 'directory') {
        throw new RemoteChartError('archive', `the chart archive contains an unsupported entry type ${header.type} (${header.name})`);
      }
      if (top === undefined) top = segments[0];
      else if (segments[0] !== top) throw new RemoteChartError('archive', `the chart archive has more than one top-level directory (${top}, ${segments[0]})`);
      const relative = segments.slice(1);
      const wanted = header.type !== 'directory' && relative.length > 0 ? classify(relative) : 'skip';
      if (wanted === 'skip') {
        await drain(entry);
        continue;
      }
      const content = await readAll(entry);
      if (wanted === 'nested') nested.push({ file: relative.join('/'), content });
      else files.set(prefix + relative.join('/'), content);
    }
  })();
  const feeding = gunzipInto(archive, extractor, budget);
  const [fed, read] = await Promise.allSettled([feeding, reading]);
  // A gzip or size problem stops the tar reader too: report the cause, not the tar reader's complaint.
  if (fed.status === 'rejected') throw fed.reason;
  if (read.status === 'rejected') {
    if (read.reason instanceof RemoteChartError) throw read.reason;
    throw new RemoteChartError('archive', `the chart archive is not a valid tar archive: ${message(read.reason)}`);
  }
  if (top === undefined) throw new RemoteChartError('archive', 'the chart archive is empty');
  for (const { file, content } of nested) {
    // charts/<x>.tgz (possibly inside nested subchart directories) → charts/<name>/
    const dir = file.slice(0, file.lastIndexOf('/') + 1);
    if (depth + 1 > MAX_NESTING) continue;
    const sub = new Map<string, Buffer>();
    let subName: string;
    try {
      subName = await collectChart(content, '', depth + 1, budget, sub);
    } catch (error) {
      if (error instanceof RemoteChartError && error.kind === 'too-large') throw error;
      throw new RemoteChartError('archive', `the subchart archive ${file} cannot be unpacked: ${message(error)}`);
    }
    const subPrefix = `${prefix}${dir}${subName}/`;
    // a subchart directory and a packaged subchart with the same name: the directory wins
    if ([...files.keys()].some((k) => k.startsWith(subPrefix))) continue;
    for (const [k, v] of sub) files.set(subPrefix + k, v);
  }
  return top;
}

/** What to do with a file at this path (relative to the chart root, top directory stripped). */
function classify(segments: string[]): 'keep' | 'nested' | 'skip' {
  let i = 0;
  // descend charts/<sub>/charts/<sub2>/...
  while (segments[i] === 'charts' && i + 1 < segments.length) {
    if (i + 2 === segments.length) return segments[i + 1].endsWith('.tgz') ? 'nested' : 'skip';
    i += 2;
  }
  const rest = segments.slice(i);
  if (rest[0] === 'templates' || rest[0] === 'charts') return 'skip';
  if (rest.length === 1 && (rest[0] === 'Chart.yaml' || rest[0] === 'values.yaml' || rest[0] === 'values.schema.json')) return 'keep';
  return rest[rest.length - 1].endsWith('.json') ? 'keep' : 'skip';
}

/** The path's segments; throws on absolute paths, drive letters, `..`, backslashes and NULs. */
function safeSegments(name: string): string[] {
  if (name.includes('\0') || name.includes('\\')) throw new RemoteChartError('archive', `the chart archive has an invalid entry name: ${JSON.stringify(name)}`);
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) throw new RemoteChartError('archive', `the chart archive has an entry with an absolute path: ${name}`);
  const segments = name.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.some((s) => s === '..')) throw new RemoteChartError('archive', `the chart archive has an entry with a \`..\` path: ${name}`);
  if (segments.length === 0) throw new RemoteChartError('archive', `the chart archive has an entry without a name`);
  return segments;
}

/**
 * Decompresses `archive` chunk by chunk into the tar reader, counting the bytes against the budget;
 * waits while the reader is behind. Stops the reader with the error when the gzip data is bad or the
 * budget is spent, and stops itself when the reader gave up.
 */
async function gunzipInto(archive: Uint8Array, extractor: Extract, budget: Budget): Promise<void> {
  const gunzip = createGunzip();
  gunzip.end(archive);
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      budget.bytes += chunk.length;
      if (budget.bytes > budget.maxBytes) throw new RemoteChartError('too-large', `the chart archive unpacks to more than ${budget.maxBytes} bytes`);
      if (extractor.destroyed) return; // the reader failed: it reports why
      if (!extractor.write(chunk) && !(await drained(extractor))) return;
    }
  } catch (error) {
    gunzip.destroy();
    const failure = error instanceof RemoteChartError ? error : new RemoteChartError('archive', `the chart archive is not a valid gzip file (truncated or corrupt): ${message(error)}`);
    extractor.destroy(failure);
    throw failure;
  }
  extractor.end(undefined);
}

/** Resolves true when the stream wants more, false when it was destroyed. */
function drained(stream: Extract): Promise<boolean> {
  if (stream.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (more: boolean) => () => {
      stream.off('drain', onDrain);
      stream.off('close', onClose);
      resolve(more);
    };
    const onDrain = done(true);
    const onClose = done(false);
    stream.on('drain', onDrain);
    stream.on('close', onClose);
  });
}

async function readAll(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

async function drain(stream: AsyncIterable<unknown>): Promise<void> {
  for await (const chunk of stream) void chunk;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
