/**
 * ValueIndex maps each value of one dimension (a namespace, a tag, an environment, ...) to the set
 * of record keys that have it. It never keeps an empty set: removing the last key of a value
 * removes the value.
 */
export class ValueIndex {
  readonly #keysByValue = new Map<string, Set<string>>();

  /** Number of distinct values stored. */
  get size(): number {
    return this.#keysByValue.size;
  }

  /** Adds `key` to the set of `value`. Adding a key that is already there changes nothing. */
  add(value: string, key: string): void {
    const keys = this.#keysByValue.get(value);
    if (keys === undefined) {
      this.#keysByValue.set(value, new Set([key]));
      return;
    }

    keys.add(key);
  }

  /** Removes `key` from the set of `value`, and the value itself when no key is left. */
  remove(value: string, key: string): void {
    const keys = this.#keysByValue.get(value);
    if (keys === undefined) {
      return;
    }

    keys.delete(key);
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
