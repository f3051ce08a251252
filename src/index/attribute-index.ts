import { ValueIndex } from './value-index.ts';

/**
 * AttributeIndex maps each attribute name to a `ValueIndex` of its values, so it finds the record
 * keys that have a given name and value, or any value for a name. It never keeps an attribute name
 * without values. The label selector's `=`, `==`, `in` and exists requirements read it.
 */
export class AttributeIndex {
  readonly #valuesByName = new Map<string, ValueIndex>();

  /** Number of distinct attribute names stored. */
  get size(): number {
    return this.#valuesByName.size;
  }

  /** Adds `key` under every name and value of `attributes`. */
  add(attributes: Readonly<Record<string, string>>, key: string): void {
    for (const [name, value] of Object.entries(attributes)) {
      let values = this.#valuesByName.get(name);
      if (values === undefined) {
        values = new ValueIndex();
        this.#valuesByName.set(name, values);
      }

      values.add(value, key);
    }
  }

  /** Removes `key` from every name and value of `attributes`, dropping names left empty. */
  remove(attributes: Readonly<Record<string, string>>, key: string): void {
    for (const [name, value] of Object.entries(attributes)) {
      const values = this.#valuesByName.get(name);
      if (values === undefined) {
        continue;
      }

      values.remove(value, key);
      if (values.size === 0) {
        this.#valuesByName.delete(name);
      }
    }
  }

  /** Returns the keys whose attribute `name` equals `value`, or undefined when none does. */
  keysOf(name: string, value: string): ReadonlySet<string> | undefined {
    return this.#valuesByName.get(name)?.keysOf(value);
  }

  /** Counts the keys that have attribute `name` with any value. */
  countWithName(name: string): number {
    return this.#valuesByName.get(name)?.keyCount ?? 0;
  }

  /**
   * Returns the key sets of every value of attribute `name`. They are disjoint, because a record
   * has one value per name, and live, so a caller must not hold them across a write.
   */
  keySetsWithName(name: string): Iterable<ReadonlySet<string>> {
    return this.#valuesByName.get(name)?.keySets() ?? [];
  }
}
