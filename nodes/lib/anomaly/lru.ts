/**
 * The anomaly engine's keys in least-recently-seen order: a Map plus an intrusive doubly-linked
 * list, O(1) per record. The entries carry their own `prev` / `next` links.
 */
export interface LruEntry<T> {
  readonly id: string;
  prev: T | null;
  next: T | null;
}

export class Lru<T extends LruEntry<T>> {
  private readonly map = new Map<string, T>();
  /** Most recently seen. */
  head: T | null = null;
  /** Least recently seen. */
  tail: T | null = null;

  get size(): number {
    return this.map.size;
  }

  get(id: string): T | undefined {
    return this.map.get(id);
  }

  values(): IterableIterator<T> {
    return this.map.values();
  }

  /** Adds an entry as the most recently seen. */
  add(s: T): void {
    this.map.set(s.id, s);
    this.pushHead(s);
  }

  /** Marks an entry as the most recently seen. */
  touch(s: T): void {
    this.unlink(s);
    this.pushHead(s);
  }

  remove(s: T): void {
    this.unlink(s);
    this.map.delete(s.id);
  }

  clear(): void {
    this.map.clear();
    this.head = this.tail = null;
  }

  /** Entries from the least to the most recently seen. */
  *oldestFirst(): Generator<T, void, void> {
    for (let s = this.tail; s; s = s.prev) yield s;
  }

  private pushHead(s: T): void {
    s.prev = null;
    s.next = this.head;
    if (this.head) this.head.prev = s;
    this.head = s;
    if (!this.tail) this.tail = s;
  }

  private unlink(s: T): void {
    if (s.prev) s.prev.next = s.next;
    else this.head = s.next;
    if (s.next) s.next.prev = s.prev;
    else this.tail = s.prev;
    s.prev = s.next = null;
  }
}
