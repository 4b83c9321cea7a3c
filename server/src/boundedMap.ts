/** How many entries, and optionally how much weight, a {@link BoundedMap} keeps. */
export interface BoundedMapLimits<K, V> {
  /** Most entries kept. */
  maxEntries: number;
  /** Most total weight kept (see `weigh`); no limit when absent. */
  maxWeight?: number;
  /** The weight of one entry (bytes, items…); 1 when absent. */
  weigh?: (value: V, key: K) => number;
}

/**
 * A map that forgets its least recently used entries beyond a number of entries or a total weight.
 * `get` and `set` count as use; `peek` does not. The entry just set is always kept, even when it
 * alone weighs more than `maxWeight`: the bound is then that one entry.
 */
export class BoundedMap<K, V> {
  private readonly entries = new Map<K, { value: V; weight: number }>();
  private total = 0;

  constructor(private readonly limits: BoundedMapLimits<K, V>) {
    if (!(limits.maxEntries >= 1)) throw new RangeError('a BoundedMap keeps at least one entry');
  }

  get size(): number {
    return this.entries.size;
  }

  /** The total weight of the entries kept. */
  get weight(): number {
    return this.total;
  }

  has(key: K): boolean {
    return this.entries.has(key);
  }

  /** The value, marked as the most recently used. */
  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /** The value, without counting as use. */
  peek(key: K): V | undefined {
    return this.entries.get(key)?.value;
  }

  set(key: K, value: V): this {
    this.delete(key);
    const weight = Math.max(0, this.limits.weigh?.(value, key) ?? 1);
    this.entries.set(key, { value, weight });
    this.total += weight;
    const maxWeight = this.limits.maxWeight ?? Number.POSITIVE_INFINITY;
    for (const [oldest, entry] of this.entries) {
      if (this.entries.size <= this.limits.maxEntries && this.total <= maxWeight) break;
      if (oldest === key) break;
      this.entries.delete(oldest);
      this.total -= entry.weight;
    }
    return this;
  }

  delete(key: K): boolean {
    const entry = this.entries.get(key);
    if (!entry) return false;
    this.entries.delete(key);
    this.total -= entry.weight;
    return true;
  }

  clear(): void {
    this.entries.clear();
    this.total = 0;
  }

  keys(): IterableIterator<K> {
    return this.entries.keys();
  }
}
