/**
 * ValueIndex maps each value of one dimension (a namespace, a tag, an environment, ...) to the set
 * of record keys that have it. It never keeps an empty set: removing the last key of a value
 * removes the value.
 */
export class ValueIndex {
  readonly #keysByValue = new Map<string, Set<string>>();
  #keyCount = 0;

  /** Number of distinct values stored. */
  get size(): number {
    return this.#keysByValue.size;
  }

  /** Number of (value, key) pairs stored: the sum of the sizes of all key sets. */
  get keyCount(): number {
    return this.#keyCount;
  }

  /** Adds `key` to the set of `value`. Adding a key that is already there changes nothing. */
  add(value: string, key: string): void {
    const keys = this.#keysByValue.get(value);
    if (keys === undefined) {
      this.#keysByValue.set(value, new Set([key]));
      this.#keyCount += 1;
      return;
    }

    if (!keys.has(key)) {
      keys.add(key);
      this.#keyCount += 1;
    }
  }

  /** Removes `key` from the set of `value`, and the value itself when no key is left. */
  remove(value: string, key: string): void {
    const keys = this.#keysByValue.get(value);
    if (keys === undefined) {
      return;
    }

    if (keys.delete(key)) {
      this.#keyCount -= 1;
    }

    if (keys.size === 0) {
      this.#keysByValue.delete(value);
    }
  }

  /**
   * Returns the keys that have `value`, or undefined when none does. The set is live and changes
   * with the index, so a caller must not hold it across a write.
   */
  keysOf(value: string): ReadonlySet<string> | undefined {
    return this.#keysByValue.get(value);
  }

  /** Returns every value that at least one key has, in no particular order. */
  values(): IterableIterator<string> {
    return this.#keysByValue.keys();
  }

  /**
   * Returns the key set of every value. The sets are live, so a caller must not hold them across a
   * write.
   */
  keySets(): IterableIterator<ReadonlySet<string>> {
    return this.#keysByValue.values();
  }

  /**
   * Counts the keys of all the given values together. A value listed twice is counted twice, so
   * callers pass distinct values.
   */
  countOf(values: Iterable<string>): number {
    let count = 0;
    for (const value of values) {
      count += this.#keysByValue.get(value)?.size ?? 0;
    }

    return count;
  }
}
