import { BoundedMap } from '../../server/src/boundedMap';

/** What a read-only document shows when its text was let go (VS Code asked for it again much later). */
export const GONE_TEXT = '# This document is no longer kept in memory. Run the command again to see it.\n';

export interface ReadOnlyContentsLimits {
  /** Most documents kept. Default 30. */
  maxDocuments?: number;
  /** Most characters, all documents together. Default 32 M. */
  maxChars?: number;
}

/**
 * The texts of the read-only documents the extension opens (effective values, live objects, events,
 * history). Each command opens a new one, so only the most recently used are kept.
 */
export class ReadOnlyContents {
  private readonly texts: BoundedMap<string, string>;
  private counter = 0;

  constructor(limits: ReadOnlyContentsLimits = {}) {
    this.texts = new BoundedMap({ maxEntries: limits.maxDocuments ?? 30, maxWeight: limits.maxChars ?? 32 * 1024 * 1024, weigh: (text) => text.length });
  }

  /** A query that makes the next document's URI new. */
  nextQuery(): string {
    return String(++this.counter);
  }

  set(uri: string, text: string): void {
    this.texts.set(uri, text);
  }

  /** The text of a document, or {@link GONE_TEXT} once it was let go. */
  get(uri: string): string {
    return this.texts.get(uri) ?? GONE_TEXT;
  }

  /** How many documents are kept, and their characters. */
  memoryUse(): { documents: number; chars: number } {
    return { documents: this.texts.size, chars: this.texts.weight };
  }
}
