/** Where a LiveMap reads (and, optionally, writes) its entries. */
export interface LiveSource<K, V> {
  entries(): Iterable<[K, V]>;
  get?(key: K): V | undefined;
  set?(key: K, value: V): void;
  delete?(key: K): boolean;
}

/**
 * A Map that is a view of a simulator's own store: every read goes to the store, so it is never
 * stale and there is no second copy to keep in step. Writes go to the store where it allows them.
 */
export class LiveMap<K, V> extends Map<K, V> {
  readonly #source: LiveSource<K, V>;

  constructor(source: LiveSource<K, V>) {
    super();
    this.#source = source;
    Object.defineProperty(this, "size", { get: () => [...this.#source.entries()].length });
  }

  private snapshot(): Map<K, V> {
    return new Map(this.#source.entries());
  }

  override get(key: K): V | undefined {
    return this.#source.get ? this.#source.get(key) : this.snapshot().get(key);
  }

  override has(key: K): boolean {
    return this.get(key) !== undefined;
  }

  override entries() {
    return this.snapshot().entries();
  }

  override keys() {
    return this.snapshot().keys();
  }

  override values() {
    return this.snapshot().values();
  }

  override [Symbol.iterator]() {
    return this.entries();
  }

  override forEach(callback: (value: V, key: K, map: Map<K, V>) => void, thisArg?: unknown): void {
    for (const [key, value] of this.entries()) callback.call(thisArg, value, key, this);
  }

  override set(key: K, value: V): this {
    if (!this.#source.set) throw new Error("this map is a live view of a simulator's store and cannot be written");
    this.#source.set(key, value);
    return this;
  }

  override delete(key: K): boolean {
    if (!this.#source.delete) throw new Error("this map is a live view of a simulator's store and cannot be written");
    return this.#source.delete(key);
  }

  override clear(): void {
    for (const key of [...this.keys()]) this.delete(key);
  }
}
