import type { MetadataRecord } from './record.ts';

/**
 * Compares two records by namespace and then by name, in ascending code-unit order (the order of
 * JavaScript's `<` on strings). It does not compare keys, because `/` sorts after `-`, so `a-b/x`
 * would come before `a/x` although namespace `a` comes first.
 */
export function compareRecords(
  left: Pick<MetadataRecord, 'namespace' | 'name'>,
  right: Pick<MetadataRecord, 'namespace' | 'name'>,
): number {
  if (left.namespace !== right.namespace) {
    return left.namespace < right.namespace ? -1 : 1;
  }

  if (left.name !== right.name) {
    return left.name < right.name ? -1 : 1;
  }

  return 0;
}

/**
 * Tells whether a query with `candidates` candidate records out of `total` should scan all records
 * in their cached order instead of sorting its matches. Sorting m matches costs O(m log m) and the
 * scan costs O(n), so the scan is chosen once m log m reaches n. This estimate ignores constant
 * factors. A selective query, below that bound, never touches all records.
 */
export function prefersOrderedScan(candidates: number, total: number): boolean {
  return candidates * Math.log2(candidates + 1) >= total;
}

/**
 * RecordOrder lists records in one sort order, `compareRecords` unless the constructor is given
 * another comparator. It caches all records in that order until `invalidate` is called, which the
 * index does whenever a key is added or removed. A record replaced under the same key keeps its
 * place when its sort key did not change, so `replace` updates the cache in place then.
 */
export class RecordOrder {
  readonly #compare: (left: MetadataRecord, right: MetadataRecord) => number;
  #sorted: MetadataRecord[] | undefined;

  /**
   * @param compare - A total order of records that have distinct keys, which returns 0 only for
   *   records with the same namespace and name. Default: `compareRecords`.
   */
  constructor(compare: (left: MetadataRecord, right: MetadataRecord) => number = compareRecords) {
    this.#compare = compare;
  }

  /** Drops the cached order. Call it after a key was added or removed. */
  invalidate(): void {
    this.#sorted = undefined;
  }

  /**
   * Puts `record` in the place of the cached record with the same namespace and name, in
   * O(log n), or drops the cached order when the record's sort key changed. Call it after a record
   * was replaced under an existing key.
   */
  replace(record: MetadataRecord): void {
    const sorted = this.#sorted;
    if (sorted === undefined) {
      return;
    }

    const position = findPosition(sorted, record, this.#compare);
    const current = sorted[position];
    if (current !== undefined && this.#compare(current, record) === 0) {
      sorted[position] = record;
    } else {
      // The sort key changed, such as the version in the version order, so the record moves.
      this.#sorted = undefined;
    }
  }

  /**
   * Returns the records that satisfy `predicate`, or all records without one, in this order. It
   * runs in O(n) when the order is cached, and in O(n log n) when it has to sort first.
   */
  select(
    records: ReadonlyMap<string, MetadataRecord>,
    predicate?: (record: MetadataRecord) => boolean,
  ): MetadataRecord[] {
    const sorted = this.#inOrder(records);
    return predicate === undefined ? sorted.slice() : sorted.filter(predicate);
  }

  #inOrder(records: ReadonlyMap<string, MetadataRecord>): readonly MetadataRecord[] {
    if (this.#sorted === undefined) {
      this.#sorted = [...records.values()].sort(this.#compare);
    }

    return this.#sorted;
  }
}

/** Returns the first position in `sorted` whose record does not sort before `record`. */
function findPosition(
  sorted: readonly MetadataRecord[],
  record: MetadataRecord,
  compare: (left: MetadataRecord, right: MetadataRecord) => number,
): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compare(sorted[middle] as MetadataRecord, record) < 0) {
      low = middle + 1;
    } else {
      high = middle;
    }
  }

  return low;
}
