/**
 * A bounded cache with least-recently-used eviction in two generations: lookups hit the young
 * map; an entry found only in the old map is moved to the young one; when the young map is
 * full, the old generation is dropped whole and the young one becomes old. So a hit costs one
 * `Map.get` (no reordering on every read), at most `2 * capacity` entries are held, and an
 * entry used at least once per `capacity` insertions is never evicted
 * (docs/enrich.md#caches).
 */
export class TwoGenerationCache<K, V> {
  private young = new Map<K, V>();
  private old = new Map<K, V>();

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer');
  }

  get(key: K): V | undefined {
    // Kept this small so the engine's per-side code inlines it; the rest is in fromOld.
    const hit = this.young.get(key);
    return hit !== undefined ? hit : this.fromOld(key);
  }

  private fromOld(key: K): V | undefined {
    const aged = this.old.get(key);
    if (aged !== undefined) {
      this.old.delete(key);
      this.set(key, aged);
    }
    return aged;
  }

  set(key: K, value: V): void {
    if (this.young.size >= this.capacity && !this.young.has(key)) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(key, value);
  }

  delete(key: K): void {
    this.young.delete(key);
    this.old.delete(key);
  }

  clear(): void {
    this.young = new Map();
    this.old = new Map();
  }

  /** Entries held (both generations). */
  get size(): number {
    return this.young.size + this.old.size;
  }
}
