import { ValueIndex } from './value-index.ts';

/**
 * AttributeIndex maps each attribute name to a `ValueIndex` of its values, so it finds the record
 * keys that have a given name and value. It never keeps an attribute name without values.
 *
 * NOTE: `ServiceQuery` has no attribute condition yet, so queries do not read this index. It is
 * kept current so that an attribute selector can be added without a rebuild.
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
}
