import { parseAllDocuments, type Document } from 'yaml';
import { LineIndex } from '../text/lineIndex';
import { identify, identifyFromTree, recognise, startsAsFlowMapping, type ObjectIdentity, type Recognition } from './identity';
import { PARSE_OPTIONS } from './yamlTree';
import { workCounts } from '../workCounts';
import { complexityProblem } from './complexity';

export interface ParseResult {
  /** The document, or undefined when the parser itself failed (e.g. nesting too deep for the stack). */
  doc?: Document.Parsed;
  /** Why the parser failed, when it did. */
  failure?: string;
}

const PARSED_DOCUMENTS_KEPT = 32;
const LONE_CR = /\r(?!\n)/;
const LONE_CR_ALL = /\r(?!\n)/g;
/** Analyses whose syntax tree is kept, least recently used first. */
const recentlyParsed = new Set<DocumentAnalysis>();

/**
 * Everything we know about one YAML document of a file. It depends only on the document's text, so
 * when an edit elsewhere in the file leaves that text unchanged the analysis is reused as it is;
 * positions inside are relative to the document's first line.
 */
export class DocumentAnalysis {
  readonly identity: ObjectIdentity | undefined;
  readonly recognition: Recognition;
  private lineIndex?: LineIndex;
  private parseResult?: ParseResult;
  /** Results of features, cached per settings key (see languageService). */
  readonly cache = new Map<string, unknown>();

  constructor(readonly text: string) {
    // Block style is recognised by a line scan, even when broken; flow style (and JSON) by parsing.
    this.identity = identify(text) ?? (startsAsFlowMapping(text) ? identifyFromTree(this.parsed.doc) : undefined);
    this.recognition = recognise(this.identity);
  }

  get lines(): LineIndex {
    this.lineIndex ??= new LineIndex(this.text);
    return this.lineIndex;
  }

  get isFlux(): boolean {
    return this.recognition.status !== 'not-flux';
  }

  /**
   * The parsed document. Syntax trees are large, so only the most recently used ones are kept; the
   * results computed from them (diagnostics, symbols) are cached separately and stay.
   */
  get parsed(): ParseResult {
    if (!this.parseResult) this.parseResult = parse(this.text);
    recentlyParsed.delete(this);
    recentlyParsed.add(this);
    if (recentlyParsed.size > PARSED_DOCUMENTS_KEPT) {
      const oldest = recentlyParsed.values().next().value as DocumentAnalysis;
      recentlyParsed.delete(oldest);
      oldest.parseResult = undefined;
    }
    return this.parseResult;
  }

  cached<T>(key: string, compute: () => T): T {
    if (this.cache.has(key)) return this.cache.get(key) as T;
    const value = compute();
    this.cache.set(key, value);
    return value;
  }
}

function parse(text: string): ParseResult {
  workCounts.documentsParsed++;
  const tooComplex = complexityProblem(text);
  if (tooComplex) return { failure: tooComplex };
  try {
    // YAML allows a lone carriage return as a line break; the parser reads only LF and CRLF. Each
    // lone CR becomes an LF, which keeps every offset where it was.
    const docs = parseAllDocuments(LONE_CR.test(text) ? text.replace(LONE_CR_ALL, '\n') : text, PARSE_OPTIONS);
    if (!Array.isArray(docs)) return {};
    // A piece holds one document by construction; a `...` end marker followed by content can
    // still produce more, and only the first one is the object we analyse.
    return docs.length > 0 ? { doc: docs[0] } : {};
  } catch (error) {
    return { failure: error instanceof RangeError ? 'the document is nested too deeply to be read' : String(error) };
  }
}
