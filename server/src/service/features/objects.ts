import type { DocumentAnalysis } from '../model/documentAnalysis';
import type { FileModel } from '../model/fileModel';
import { ObjectView } from '../model/objectView';

/** A Kubernetes object of a file, as written: enough to find it on a cluster and to put a line above it. */
export interface ManifestObject {
  apiVersion: string;
  kind: string;
  name: string;
  /** `metadata.namespace` as written; absent when the object has none or it holds a `${VAR}`. */
  namespace?: string;
  /** The line of the object's first key (0-based, in the file). */
  line: number;
}

/** Flux replaces `${VAR}` before the API server sees the object, so such a value is not known here. */
const SUBSTITUTED = '${';

/**
 * The objects of a file, in order: every document with an `apiVersion`, a `kind` and a known
 * `metadata.name`, in block or flow style. Each document is read once per text: an edit costs the
 * documents it changed.
 */
export function manifestObjects(model: FileModel): ManifestObject[] {
  const out: ManifestObject[] = [];
  for (const segment of model.segments) {
    const object = objectOf(segment.analysis);
    if (object) out.push({ ...object, line: segment.startLine + object.line });
  }
  return out;
}

/** The object of one document, its line counted from the document's first line. */
function objectOf(analysis: DocumentAnalysis): ManifestObject | undefined {
  return analysis.cached('manifest-object', () => {
    const identity = analysis.identity;
    if (!identity) return undefined;
    const doc = analysis.parsed.doc;
    if (!doc) return undefined;
    const view = new ObjectView(doc);
    const name = view.string(['metadata', 'name']);
    if (!name || name.includes(SUBSTITUTED)) return undefined;
    const namespace = view.string(['metadata', 'namespace']);
    return {
      apiVersion: identity.apiVersion,
      kind: identity.kind,
      name,
      ...(namespace && !namespace.includes(SUBSTITUTED) ? { namespace } : {}),
      line: firstKeyLine(analysis),
    };
  });
}

/** The line of a document's first key, where lenses heading its object go (read once per document text). */
export function firstKeyLine(analysis: DocumentAnalysis): number {
  return analysis.cached('first-key-line', () => {
    const start = analysis.parsed.doc?.contents?.range?.[0] ?? analysis.identity?.kindRange[0] ?? 0;
    return analysis.lines.positionAt(start).line;
  });
}
