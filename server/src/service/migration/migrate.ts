import { isDeepStrictEqual } from 'util';
import { isAlias, isMap, isScalar, isSeq, parseDocument, stringify, Scalar, type Document, type Node, type Pair, type ParseOptions, type DocumentOptions, type SchemaOptions, type Tags, type YAMLMap, type YAMLSeq } from 'yaml';

/**
 * Text edits that move one Flux object to a newer API version in place, keeping comments and the
 * layout of everything they do not touch.
 *
 * Besides `apiVersion`, the removals of the notes' §a tables that have a mechanical replacement:
 * - HelmRelease v2beta1/v2beta2 → v2: `spec.chart.spec.valuesFile` → `valuesFiles` (as its first
 *   item: the old field was merged before the list), and `spec.postRenderers[].kustomize`
 *   `patchesStrategicMerge[]` / `patchesJson6902[]` → `patches[]` (`patch` as a YAML string).
 * - HelmChart v1beta1/v1beta2 → v1: `spec.valuesFile` → `spec.valuesFiles`.
 * - Kustomization v1beta1/v1beta2 → v1: `spec.patchesStrategicMerge[]` / `spec.patchesJson6902[]` →
 *   `spec.patches[]` (as for the post-renderer), and `spec.validation` removed.
 * - Alert v1beta1/v1beta2 → v1beta3: `spec.summary` (deprecated) → `spec.eventMetadata.summary`.
 * `status` fields (`lastAppliedRevision` → `history`) are not touched: they are written by the
 * controller, and a history entry cannot be made up from a revision.
 */

/** Replace `text.slice(start, end)` with `newText`. Offsets are into the original text. */
export interface MigrationEdit {
  start: number;
  end: number;
  newText: string;
}

/** Applies non-overlapping edits (in any order) to `text`. */
export function applyEdits(text: string, edits: readonly MigrationEdit[]): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  let out = '';
  let pos = 0;
  for (const edit of sorted) {
    if (edit.start < pos || edit.end < edit.start || edit.end > text.length) throw new Error(`overlapping or invalid edit at ${edit.start}-${edit.end}`);
    out += text.slice(pos, edit.start) + edit.newText;
    pos = edit.end;
  }
  return out + text.slice(pos);
}

const HELM_RELEASE_TARGET = 'helm.toolkit.fluxcd.io/v2';
const HELM_CHART_TARGET = 'source.toolkit.fluxcd.io/v1';
const KUSTOMIZATION_TARGET = 'kustomize.toolkit.fluxcd.io/v1';
const ALERT_TARGET = 'notification.toolkit.fluxcd.io/v1beta3';

type Options = ParseOptions & DocumentOptions & SchemaOptions;

/**
 * YAML 1.1 as Kubernetes reads it (sigs.k8s.io/yaml over go-yaml v2): `yes`/`on` are booleans and
 * `0777` is octal, but timestamps and base-60 numbers decoded into an untyped value stay strings.
 */
function kubernetesTags(tags: Tags): Tags {
  return tags.filter((tag) => typeof tag !== 'object' || !(tag.tag === 'tag:yaml.org,2002:timestamp' || ('format' in tag && tag.format === 'TIME')));
}

const DOC_OPTIONS: Options = { version: '1.1', keepSourceTokens: true, uniqueKeys: false, merge: true, prettyErrors: false, customTags: kubernetesTags };
const K8S_OPTIONS: Options = { version: '1.1', uniqueKeys: false, merge: true, prettyErrors: false, customTags: kubernetesTags };
const YAML12_OPTIONS: Options = { version: '1.2', uniqueKeys: false, prettyErrors: false };

/** The value of a YAML text as Kubernetes and as a YAML 1.2 reader (kustomize) see it; undefined when they differ or it does not parse. */
function readBothWays(text: string): { value: unknown } | undefined {
  try {
    const a = parseDocument(text, K8S_OPTIONS);
    const b = parseDocument(text, YAML12_OPTIONS);
    if (a.errors.length > 0 || b.errors.length > 0) return undefined;
    const va: unknown = a.toJS({ maxAliasCount: 100 });
    const vb: unknown = b.toJS({ maxAliasCount: 100 });
    return isDeepStrictEqual(va, vb) ? { value: va } : undefined;
  } catch {
    return undefined;
  }
}

function readsAs(text: string, value: unknown): boolean {
  const read = readBothWays(text);
  return read !== undefined && isDeepStrictEqual(read.value, value);
}

/** `value` as YAML text (no trailing line break) that YAML 1.1 and 1.2 readers both read back as `value`. */
function renderValue(value: unknown): string {
  try {
    const yaml = stringify(value, { version: '1.1', lineWidth: 0 }).replace(/\n+$/, '');
    if (readsAs(yaml, value)) return yaml;
  } catch {
    // fall through to JSON
  }
  return JSON.stringify(value, null, 2);
}

/** `value` as a single-line flow YAML text, read back alike by YAML 1.1 and 1.2. */
function renderFlow(value: unknown): string {
  try {
    const yaml = stringify(value, { version: '1.1', lineWidth: 0, collectionStyle: 'flow' }).replace(/\n+$/, '');
    if (!yaml.includes('\n') && readsAs(yaml, value)) return yaml;
  } catch {
    // fall through to JSON
  }
  return JSON.stringify(value);
}

/** Offsets, lines and line breaks of the document text. */
class Source {
  readonly eol: string;
  private readonly lineStarts: number[] = [0];

  constructor(readonly text: string) {
    this.eol = text.includes('\r\n') ? '\r\n' : '\n';
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
  }

  lineStart(offset: number): number {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.lineStarts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return this.lineStarts[lo] ?? 0;
  }

  column(offset: number): number {
    return offset - this.lineStart(offset);
  }

  /** Whether only spaces precede `offset` on its line. */
  firstOnLine(offset: number): boolean {
    return /^[ \t]*$/.test(this.text.slice(this.lineStart(offset), offset));
  }

  /** The offset after the line break of the line holding `offset` (the text length on the last line). */
  endOfLine(offset: number): number {
    const nl = this.text.indexOf('\n', offset);
    return nl < 0 ? this.text.length : nl + 1;
  }

  /** After the line break of the line on which `node` ends (block collections already end after it). */
  endOfNode(node: Node): number {
    const range = node.range;
    if (!range) return this.text.length;
    const end = range[1];
    if (end > range[0] && this.text.charCodeAt(end - 1) === 10) return end;
    return this.endOfLine(end);
  }

  /** `endOfNode` without the line break: where the node's last line ends. */
  contentEnd(node: Node): number {
    const end = this.endOfNode(node);
    if (end > 0 && this.text.charCodeAt(end - 1) === 10) return end - (end > 1 && this.text.charCodeAt(end - 2) === 13 ? 2 : 1);
    return end;
  }

  /** Whether the text ends without a line break (the last line then has none to delete or keep). */
  get openEnded(): boolean {
    return this.text.length > 0 && !this.text.endsWith('\n');
  }
}

const spaces = (n: number) => ' '.repeat(Math.max(0, n));

/** Lines of `text` (split on LF or CRLF). */
const splitLines = (text: string) => text.split(/\r?\n/);

/** Moves every line of `lines` by `delta` columns (never removing more than its leading spaces). */
function shiftLines(lines: readonly string[], delta: number): string[] {
  if (delta === 0) return [...lines];
  return lines.map((line) => {
    if (line.length === 0) return line;
    if (delta > 0) return spaces(delta) + line;
    const lead = /^ */.exec(line)?.[0].length ?? 0;
    return line.slice(Math.min(lead, -delta));
  });
}

/** Lines from a node's first character to the end of its last line, the later ones moved left by the node's column. */
function dedentedSource(src: Source, start: number, end: number): string[] {
  const column = src.column(start);
  const lines = splitLines(src.text.slice(start, end));
  const out = [lines[0] ?? '', ...shiftLines(lines.slice(1), -column)];
  while (out.length > 1 && /^\s*$/.test(out[out.length - 1] ?? '')) out.pop();
  return out;
}

/** How the document indents: columns per nesting level, where a list's `-` sits relative to its key, and the `-` with the spaces after it. */
interface Style {
  unit: number;
  seqIndent: number;
  marker: string;
}

function mostCommon(values: number[], fallback: number): number {
  const counts = new Map<number, number>();
  let best = fallback;
  let bestCount = 0;
  for (const v of values) {
    const c = (counts.get(v) ?? 0) + 1;
    counts.set(v, c);
    if (c > bestCount) {
      best = v;
      bestCount = c;
    }
  }
  return best;
}

function isFlow(node: unknown): boolean {
  return (isMap(node) || isSeq(node)) && node.flow === true;
}

function detectStyle(root: Node, src: Source): Style {
  const units: number[] = [];
  const seqIndents: number[] = [];
  const markers: number[] = [];
  const walk = (node: unknown, depth: number): void => {
    if (depth > 200) return;
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = pair.key;
        const value = pair.value;
        if (isScalar(key) && key.range && !isFlow(node)) {
          const keyColumn = src.column(key.range[0]);
          if (isMap(value) && !isFlow(value) && value.range && value.items.length > 0) {
            const d = src.column(value.range[0]) - keyColumn;
            if (d > 0) units.push(d);
          }
          if (isSeq(value) && !isFlow(value) && value.range && value.items.length > 0) {
            const d = src.column(value.range[0]) - keyColumn;
            if (d >= 0) seqIndents.push(d);
          }
        }
        walk(value, depth + 1);
      }
    } else if (isSeq(node)) {
      const dashes = node.flow ? undefined : dashOffsets(node);
      node.items.forEach((item, i) => {
        const dash = dashes?.[i];
        const start = isScalar(item) || isMap(item) || isSeq(item) ? item.range?.[0] : undefined;
        if (dash !== undefined && start !== undefined && src.lineStart(dash) === src.lineStart(start) && start > dash) markers.push(start - dash);
        walk(item, depth + 1);
      });
    }
  };
  walk(root, 0);
  const unit = mostCommon(units, 2);
  return { unit, seqIndent: mostCommon(seqIndents, unit), marker: '-' + spaces(mostCommon(markers, 2) - 1) };
}

function findPair(map: YAMLMap, key: string): Pair | undefined {
  for (const pair of map.items) {
    if (isScalar(pair.key) && pair.key.value === key) return pair;
  }
  return undefined;
}

function mapAt(root: Node, path: readonly string[]): YAMLMap | undefined {
  let node: unknown = root;
  for (const key of path) {
    if (!isMap(node)) return undefined;
    node = findPair(node, key)?.value;
  }
  return isMap(node) ? node : undefined;
}

function isEmptyValue(node: unknown): boolean {
  if (node === null || node === undefined) return true;
  if (isScalar(node)) return node.value === null || node.value === '';
  if (isSeq(node)) return node.items.length === 0;
  return false;
}

/** The `-` indicators of a block sequence's items, from the source tokens. */
function dashOffsets(seq: YAMLSeq): number[] | undefined {
  const token = seq.srcToken;
  if (!token || token.type !== 'block-seq') return undefined;
  const out: number[] = [];
  for (const item of token.items) {
    const dash = item.start.find((t) => t.type === 'seq-item-ind');
    if (!dash) return undefined;
    out.push(dash.offset);
  }
  return out;
}

function isBlockSeqWithItems(node: unknown): node is YAMLSeq {
  return isSeq(node) && !node.flow && node.items.length > 0 && dashOffsets(node) !== undefined;
}

class Migration {
  readonly edits: MigrationEdit[] = [];
  readonly style: Style;

  constructor(
    readonly src: Source,
    readonly doc: Document.Parsed,
    root: Node,
  ) {
    this.style = detectStyle(root, src);
  }

  get eol(): string {
    return this.src.eol;
  }

  toJS(node: unknown): unknown {
    if (node === null || node === undefined) return null;
    if (isScalar(node) || isMap(node) || isSeq(node) || isAlias(node)) return node.toJS(this.doc, { maxAliasCount: 100 });
    return null;
  }

  /** Replaces whole lines `[start, end)`; `newText` is whole lines, each ending with a line break. */
  replaceLines(start: number, end: number, newText: string): void {
    const { src } = this;
    if (end === src.text.length && src.openEnded) {
      if (newText.length > 0) newText = newText.slice(0, newText.length - (newText.endsWith('\r\n') ? 2 : 1));
      else if (start > 0) start -= start > 1 && src.text.charCodeAt(start - 2) === 13 ? 2 : 1;
    }
    this.edits.push({ start, end, newText });
  }

  /** Inserts whole lines (each ending with a line break) at `at`, a line start or the very end. */
  insertLines(at: number, newText: string): void {
    if (newText.length === 0) return;
    if (at === this.src.text.length && this.src.openEnded) {
      this.edits.push({ start: at, end: at, newText: this.eol + newText.slice(0, newText.length - (newText.endsWith('\r\n') ? 2 : 1)) });
    } else {
      this.edits.push({ start: at, end: at, newText });
    }
  }

  /** Deletes a pair of a block map, with the whole lines it occupies. */
  deletePair(pair: Pair): boolean {
    const key = pair.key;
    if (!isScalar(key) || !key.range || !this.src.firstOnLine(key.range[0])) return false;
    const value = pair.value;
    const end = value && (isScalar(value) || isMap(value) || isSeq(value) || isAlias(value)) && value.range ? this.src.endOfNode(value) : this.src.endOfLine(key.range[1]);
    this.replaceLines(this.src.lineStart(key.range[0]), end, '');
    return true;
  }

  joinLines(lines: readonly string[]): string {
    return lines.map((l) => l + this.eol).join('');
  }

  /** A string value as one line of source text that keeps its meaning where it goes (in a flow list when `flow`). */
  stringText(node: unknown, flow: boolean): string {
    if (isScalar(node) && node.range && !node.anchor && !node.tag) {
      const source = this.src.text.slice(node.range[0], node.range[1]);
      const quoted = node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE;
      if (!source.includes('\n') && (quoted || (node.type === Scalar.PLAIN && !(flow && /[,[\]{}]/.test(source))))) return source;
    }
    // A double-quoted (JSON) string reads the same in YAML 1.1 and 1.2, on one line, anywhere.
    const value = this.toJS(node);
    return typeof value === 'string' ? JSON.stringify(value) : renderFlow(value);
  }

  /** Replaces a flow collection (or anything not laid out in blocks) with a flow rendering of `value`. */
  replaceNode(node: Node, value: unknown): void {
    if (!node.range) return;
    this.edits.push({ start: node.range[0], end: node.range[1], newText: renderFlow(value) });
  }

  /** `valuesFile: x` → `valuesFiles: [x, ...]` in `map` (HelmRelease chart template or HelmChart spec). */
  valuesFile(map: YAMLMap): void {
    const old = findPair(map, 'valuesFile');
    if (!old) return;
    const list = findPair(map, 'valuesFiles');
    const oldEmpty = isEmptyValue(old.value);
    // Not a file name (a list or a map): nothing mechanical to do; the diagnostics will point at it.
    if (!oldEmpty && !(isScalar(old.value) || isAlias(old.value))) return;

    if (map.flow) {
      const value: Record<string, unknown> = {};
      const existing = list && isSeq(list.value) ? (this.toJS(list.value) as unknown[]) : [];
      for (const pair of map.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(this.toJS(pair.key));
        if (key === 'valuesFile') {
          if (!list) value.valuesFiles = oldEmpty ? [] : [this.toJS(old.value)];
        } else if (key === 'valuesFiles') {
          value.valuesFiles = oldEmpty ? existing : [this.toJS(old.value), ...existing];
        } else value[key] = this.toJS(pair.value);
      }
      this.replaceNode(map, value);
      return;
    }

    const key = old.key;
    if (!isScalar(key) || !key.range) return;
    if (oldEmpty) {
      this.deletePair(old);
      return;
    }
    const keyColumn = this.src.column(key.range[0]);

    if (list && isBlockSeqWithItems(list.value)) {
      const seq = list.value;
      const dash = dashOffsets(seq)?.[0];
      const first = seq.items[0];
      if (dash === undefined || !this.src.firstOnLine(dash)) return;
      const firstStart = isScalar(first) || isMap(first) || isSeq(first) || isAlias(first) ? first.range?.[0] : undefined;
      const marker = firstStart !== undefined && this.src.lineStart(firstStart) === this.src.lineStart(dash) ? this.src.text.slice(dash, firstStart) : '- ';
      this.insertLines(this.src.lineStart(dash), spaces(this.src.column(dash)) + marker + this.stringText(old.value, false) + this.eol);
      this.deletePair(old);
      return;
    }
    if (list && isSeq(list.value) && list.value.flow && list.value.range && this.src.text[list.value.range[0]] === '[') {
      const at = list.value.range[0] + 1;
      const item = this.stringText(old.value, true);
      this.edits.push({ start: at, end: at, newText: list.value.items.length > 0 ? `${item}, ` : item });
      this.deletePair(old);
      return;
    }
    if (list && !isEmptyValue(list.value)) return; // not a list: leave both for the diagnostics
    if (list) this.deletePair(list);
    const value = old.value;
    if (!(isScalar(value) || isAlias(value)) || !value.range) return;
    const dashColumn = keyColumn + this.style.seqIndent;
    this.edits.push({ start: key.range[0], end: value.range[1], newText: `valuesFiles:${this.eol}${spaces(dashColumn)}${this.style.marker}${this.stringText(value, false)}` });
  }

  /** Alert `summary: x` → `eventMetadata: {summary: x}` (into an existing block `eventMetadata` that has no `summary`). */
  alertSummary(spec: YAMLMap): void {
    const summary = findPair(spec, 'summary');
    if (!summary) return;
    const key = summary.key;
    const value = summary.value;
    if (!isScalar(key) || !key.range || !this.src.firstOnLine(key.range[0])) return;
    if (isEmptyValue(value)) {
      this.deletePair(summary);
      return;
    }
    // Only a one-line string value moves mechanically; anything else is left for the diagnostics.
    if (!isScalar(value) || !value.range || typeof value.value !== 'string') return;
    const text = this.stringText(value, false);
    const column = this.src.column(key.range[0]);
    const metadata = findPair(spec, 'eventMetadata');
    if (!metadata) {
      this.edits.push({ start: key.range[0], end: value.range[1], newText: `eventMetadata:${this.eol}${spaces(column + this.style.unit)}summary: ${text}` });
      return;
    }
    const map = metadata.value;
    if (!isMap(map) || map.flow || findPair(map, 'summary')) return;
    const first = map.items[0]?.key;
    if (!isScalar(first) || !first.range || !this.src.firstOnLine(first.range[0])) return;
    // A comment after the value moves with it.
    const rest = /^[^\r\n]*/.exec(this.src.text.slice(value.range[1]))![0];
    const comment = /^[ \t]+#/.test(rest) ? rest.trimEnd() : '';
    this.insertLines(this.src.lineStart(first.range[0]), `${spaces(this.src.column(first.range[0]))}summary: ${text}${comment}${this.eol}`);
    this.deletePair(summary);
  }

  /** Content lines of a `patch: |` block scalar for `node`: its own source if it reads back the same, else a rendering of its value. */
  patchContent(node: Node, start: number, end: number): string[] {
    const value = this.toJS(node);
    const source = dedentedSource(this.src, start, end);
    if (readsAs(source.join('\n'), value)) return source;
    return splitLines(renderValue(value));
  }

  /** `patch: |` followed by `content` indented at `column`. */
  blockScalarLines(content: readonly string[], column: number): string[] {
    return content.map((line) => (line.length === 0 ? '' : spaces(column) + line));
  }

  /**
   * The items of a `patchesStrategicMerge` / `patchesJson6902` list as `patches` items: whole lines
   * (each with its line break) and the column of their `-`. Block lists keep their own lines —
   * comments between items included — with only the patch parts rewritten.
   */
  patchItems(pair: Pair, form: 'strategic' | 'json6902', defaultColumn: number): { text: string; column: number } | undefined {
    const seq = pair.value;
    if (isEmptyValue(seq)) return { text: '', column: defaultColumn };
    if (!isSeq(seq)) return undefined;
    const { src, style } = this;
    const dashes = dashOffsets(seq);
    if (!seq.flow && dashes && dashes.length === seq.items.length && isScalar(pair.key) && pair.key.range) {
      const regionStart = src.endOfLine(pair.key.range[1]);
      const regionEnd = src.endOfNode(seq);
      if (dashes.some((d) => d < regionStart || !src.firstOnLine(d))) return undefined;
      const sub: MigrationEdit[] = [];
      for (const item of seq.items) {
        if (form === 'strategic') {
          if (!(isScalar(item) || isMap(item) || isSeq(item) || isAlias(item)) || !item.range) return undefined;
          const end = src.contentEnd(item);
          const column = src.column(item.range[0]);
          const lines = ['patch: |', ...this.blockScalarLines(this.patchContent(item, item.range[0], end), column + style.unit)];
          sub.push({ start: item.range[0], end, newText: lines.join(this.eol) });
        } else {
          if (!isMap(item) || item.flow) {
            if (!item || !(isMap(item) || isScalar(item) || isSeq(item)) || !item.range) return undefined;
            // A flow item: write it out as a block item.
            const column = src.column(item.range[0]);
            const rendered = this.renderedJsonItem(this.toJS(item));
            const width = style.marker.length;
            const lines = [rendered[0]?.slice(width) ?? '', ...shiftLines(rendered.slice(1), column - width)];
            sub.push({ start: item.range[0], end: src.contentEnd(item), newText: lines.join(this.eol) });
            continue;
          }
          const patch = findPair(item, 'patch');
          const value = patch?.value;
          if (!patch || !isScalar(patch.key) || !patch.key.range || !(isSeq(value) || isMap(value)) || !value.range) continue;
          const end = src.contentEnd(value);
          const column = src.column(patch.key.range[0]);
          const lines = [': |', ...this.blockScalarLines(this.patchContent(value, value.range[0], end), column + style.unit)];
          sub.push({ start: patch.key.range[1], end, newText: lines.join(this.eol) });
        }
      }
      const shifted = sub.map((e) => ({ start: e.start - regionStart, end: e.end - regionStart, newText: e.newText }));
      let text = applyEdits(src.text.slice(regionStart, regionEnd), shifted);
      if (!text.endsWith('\n')) text += this.eol;
      return { text, column: src.column(dashes[0] ?? regionStart) };
    }
    // A flow list: write its items out as block items.
    const lines: string[] = [];
    for (const item of seq.items) {
      const value = this.toJS(item);
      lines.push(...(form === 'strategic' ? [`${style.marker}patch: |`, ...this.blockScalarLines(splitLines(renderValue(value)), style.marker.length + style.unit)] : this.renderedJsonItem(value)));
    }
    return { text: this.joinLines(lines), column: 0 };
  }

  /** A JSON 6902 item `{target, patch}` as block lines of a `patches` item, `-` at column 0. */
  renderedJsonItem(value: unknown): string[] {
    const { unit, marker } = this.style;
    if (!value || typeof value !== 'object' || Array.isArray(value)) return [marker + renderFlow(value)];
    const record = value as Record<string, unknown>;
    const lines: string[] = [];
    for (const [key, v] of Object.entries(record)) {
      if (key === 'patch' && typeof v !== 'string') lines.push('patch: |', ...this.blockScalarLines(splitLines(renderValue(v)), unit));
      else if (v && typeof v === 'object') lines.push(`${renderFlow(key)}:`, ...this.blockScalarLines(splitLines(renderValue(v)), unit));
      else lines.push(`${renderFlow(key)}: ${renderFlow(v)}`);
    }
    return lines.map((line, i) => (i === 0 ? marker : line.length === 0 ? '' : spaces(marker.length)) + line);
  }

  /** `patchesStrategicMerge` / `patchesJson6902` of one kustomize post-renderer → `patches`. */
  kustomizePatches(kustomize: YAMLMap): void {
    const strategic = findPair(kustomize, 'patchesStrategicMerge');
    const json = findPair(kustomize, 'patchesJson6902');
    if (!strategic && !json) return;
    const patches = findPair(kustomize, 'patches');

    if (kustomize.flow) {
      this.replaceNode(kustomize, this.migratedKustomizeValue(kustomize));
      return;
    }
    const keyOf = (pair: Pair) => (isScalar(pair.key) && pair.key.range ? pair.key.range : undefined);
    const old = [strategic, json].filter((p): p is Pair => p !== undefined);
    if (old.some((p) => !keyOf(p) || !this.src.firstOnLine(keyOf(p)![0]))) {
      this.replaceNode(kustomize, this.migratedKustomizeValue(kustomize));
      return;
    }
    const defaultColumnOf = (pair: Pair) => this.src.column(keyOf(pair)![0]) + this.style.seqIndent;
    const strategicItems = strategic ? this.patchItems(strategic, 'strategic', defaultColumnOf(strategic)) : { text: '', column: 0 };
    const jsonItems = json ? this.patchItems(json, 'json6902', defaultColumnOf(json)) : { text: '', column: 0 };
    if (!strategicItems || !jsonItems) {
      this.replaceNode(kustomize, this.migratedKustomizeValue(kustomize));
      return;
    }
    const moved = (items: { text: string; column: number }, column: number) => (items.text ? this.joinLines(shiftLines(splitLines(items.text.replace(/\r?\n$/, '')), column - items.column)) : '');

    // kustomize applies strategic merge patches, then `patches`, then JSON 6902 patches, whatever the
    // order in the file; in one `patches` list the order is the list's. So: strategic, existing, JSON.
    if (patches && isBlockSeqWithItems(patches.value)) {
      const dashes = dashOffsets(patches.value) ?? [];
      const first = dashes[0];
      if (first === undefined || !this.src.firstOnLine(first)) return;
      const column = this.src.column(first);
      this.insertLines(this.src.lineStart(first), moved(strategicItems, column));
      this.insertLines(this.src.endOfNode(patches.value), moved(jsonItems, column));
      for (const pair of old) this.deletePair(pair);
      return;
    }
    if (patches && !isEmptyValue(patches.value)) {
      // `patches` is a flow list or something else: rewrite the whole post-renderer.
      this.replaceNode(kustomize, this.migratedKustomizeValue(kustomize));
      return;
    }
    if (patches) this.deletePair(patches);
    const [head, ...rest] = old.sort((a, b) => keyOf(a)![0] - keyOf(b)![0]);
    if (!head) return;
    const headKey = keyOf(head)!;
    const headItems = head === strategic ? strategicItems : jsonItems;
    const headIsBlock = isBlockSeqWithItems(head.value);
    const column = headIsBlock ? headItems.column : defaultColumnOf(head);
    const keyLineStart = this.src.lineStart(headKey[0]);
    const keyLine = headIsBlock
      ? this.src.text.slice(keyLineStart, headKey[0]) + 'patches' + this.src.text.slice(headKey[1], this.src.endOfLine(headKey[1]))
      : spaces(this.src.column(headKey[0])) + 'patches:' + this.eol;
    const end = head.value && (isSeq(head.value) || isScalar(head.value)) && head.value.range ? this.src.endOfNode(head.value) : this.src.endOfLine(headKey[1]);
    this.replaceLines(keyLineStart, end, keyLine + moved(strategicItems, column) + moved(jsonItems, column));
    for (const pair of rest) this.deletePair(pair);
  }

  /** The value of a kustomize post-renderer with the old patch lists folded into `patches`. */
  migratedKustomizeValue(kustomize: YAMLMap): Record<string, unknown> {
    const strategic = findPair(kustomize, 'patchesStrategicMerge');
    const json = findPair(kustomize, 'patchesJson6902');
    const existing = findPair(kustomize, 'patches');
    const list = (pair: Pair | undefined): unknown[] => {
      const v = pair ? this.toJS(pair.value) : null;
      return Array.isArray(v) ? v : [];
    };
    const text = (v: unknown) => (typeof v === 'string' ? v : renderValue(v) + '\n');
    const patches = [
      ...list(strategic).map((v) => ({ patch: text(v) })),
      ...list(existing),
      ...list(json).map((v) => {
        if (!v || typeof v !== 'object' || Array.isArray(v)) return v;
        const { patch, ...restOfItem } = v as Record<string, unknown>;
        return { ...restOfItem, patch: text(patch) };
      }),
    ];
    const out: Record<string, unknown> = {};
    for (const pair of kustomize.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(this.toJS(pair.key));
      if (key === 'patchesStrategicMerge' || key === 'patchesJson6902' || key === 'patches') {
        if (!('patches' in out)) out.patches = patches;
      } else out[key] = this.toJS(pair.value);
    }
    return out;
  }
}

/** The `apiVersion` edit found by reading lines, for a document the parser cannot read. */
function apiVersionByLines(text: string, target: string): MigrationEdit[] {
  const re = /^apiVersion[ \t]*:[ \t]+(?:"([^"\r\n]*)"|'([^'\r\n]*)'|([^\s#'"][^\s#]*))/gm;
  const match = re.exec(text);
  if (!match) return [];
  const valueText = match[1] !== undefined ? `"${match[1]}"` : match[2] !== undefined ? `'${match[2]}'` : (match[3] ?? '');
  const start = match.index + match[0].length - valueText.length;
  const newText = match[1] !== undefined ? `"${target}"` : match[2] !== undefined ? `'${target}'` : target;
  return [{ start, end: start + valueText.length, newText }];
}

/** Shrinks a multi-line edit to the lines it changes; drops it when it changes nothing. */
function trimEdit(text: string, edit: MigrationEdit): MigrationEdit | undefined {
  const old = text.slice(edit.start, edit.end);
  if (old === edit.newText) return undefined;
  const atLineStart = edit.start === 0 || text.charCodeAt(edit.start - 1) === 10;
  if (!atLineStart) return edit;
  let prefix = 0;
  const max = Math.min(old.length, edit.newText.length);
  while (prefix < max && old.charCodeAt(prefix) === edit.newText.charCodeAt(prefix)) prefix++;
  const lastBreak = old.lastIndexOf('\n', prefix - 1);
  prefix = lastBreak + 1;
  let suffix = 0;
  const maxSuffix = Math.min(old.length, edit.newText.length) - prefix;
  while (suffix < maxSuffix && old.charCodeAt(old.length - 1 - suffix) === edit.newText.charCodeAt(edit.newText.length - 1 - suffix)) suffix++;
  // Keep whole lines: the common tail must start right after a line break (in both texts).
  while (suffix > 0 && !(old.charCodeAt(old.length - suffix - 1) === 10 || old.length - suffix === prefix)) suffix--;
  return { start: edit.start + prefix, end: edit.end - suffix, newText: edit.newText.slice(prefix, edit.newText.length - suffix) };
}

/** Sorted, trimmed, with touching edits merged; undefined when two overlap. */
function normalise(text: string, edits: readonly MigrationEdit[]): MigrationEdit[] | undefined {
  const trimmed = edits.map((e) => trimEdit(text, e)).filter((e): e is MigrationEdit => e !== undefined);
  trimmed.sort((a, b) => a.start - b.start || a.end - b.end);
  const out: MigrationEdit[] = [];
  for (const edit of trimmed) {
    const last = out[out.length - 1];
    if (last && edit.start < last.end) return undefined;
    if (last && edit.start === last.end) {
      out[out.length - 1] = { start: last.start, end: edit.end, newText: last.newText + edit.newText };
    } else out.push({ ...edit });
  }
  return out;
}

/**
 * The edits that migrate `text` — one YAML document holding one Flux object — to `targetApiVersion`
 * (e.g. `helm.toolkit.fluxcd.io/v2`), sorted and non-overlapping, offsets into `text`. The
 * `apiVersion` value keeps its quotes; fields removed on the way are rewritten into their
 * replacements (see the top of this file). A document that does not parse gets only the
 * `apiVersion` edit, when a top-level `apiVersion:` line can be found.
 */
export function migrationEdits(text: string, targetApiVersion: string): MigrationEdit[] {
  const target = targetApiVersion.trim();
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, DOC_OPTIONS);
  } catch {
    return apiVersionByLines(text, target);
  }
  const root = doc.contents;
  if (doc.errors.length > 0 || !isMap(root)) return apiVersionByLines(text, target);
  const apiVersion = findPair(root, 'apiVersion')?.value;
  if (!isScalar(apiVersion) || !apiVersion.range) return [];
  const quote = apiVersion.type === Scalar.QUOTE_DOUBLE ? '"' : apiVersion.type === Scalar.QUOTE_SINGLE ? "'" : '';
  const apiVersionEdit: MigrationEdit = { start: apiVersion.range[0], end: apiVersion.range[1], newText: quote + target + quote };

  const src = new Source(text);
  const migration = new Migration(src, doc, root);
  const kindNode = findPair(root, 'kind')?.value;
  const kind = isScalar(kindNode) ? String(kindNode.value) : '';
  try {
    if (kind === 'HelmRelease' && target === HELM_RELEASE_TARGET) {
      const template = mapAt(root, ['spec', 'chart', 'spec']);
      if (template) migration.valuesFile(template);
      const spec = mapAt(root, ['spec']);
      const postRenderers = spec ? findPair(spec, 'postRenderers')?.value : undefined;
      if (isSeq(postRenderers)) {
        for (const item of postRenderers.items) {
          const kustomize = isMap(item) ? findPair(item, 'kustomize')?.value : undefined;
          if (isMap(kustomize)) migration.kustomizePatches(kustomize);
        }
      }
    }
    if (kind === 'HelmChart' && target === HELM_CHART_TARGET) {
      const spec = mapAt(root, ['spec']);
      if (spec) migration.valuesFile(spec);
    }
    if (kind === 'Kustomization' && target === KUSTOMIZATION_TARGET) {
      const spec = mapAt(root, ['spec']);
      if (spec) {
        // `validation` has no replacement: v1 always does a server-side dry run.
        const validation = findPair(spec, 'validation');
        if (validation && !spec.flow) migration.deletePair(validation);
        migration.kustomizePatches(spec);
      }
    }
    if (kind === 'Alert' && target === ALERT_TARGET) {
      const spec = mapAt(root, ['spec']);
      if (spec && !spec.flow) migration.alertSummary(spec);
    }
  } catch {
    migration.edits.length = 0;
  }

  const edits = normalise(text, [apiVersionEdit, ...migration.edits]);
  if (!edits) return normalise(text, [apiVersionEdit]) ?? [];
  // A safety net: edits that leave a document the parser cannot read are not offered.
  const migrated = parseDocument(applyEdits(text, edits), K8S_OPTIONS);
  if (migrated.errors.length > 0) return normalise(text, [apiVersionEdit]) ?? [];
  return edits;
}
