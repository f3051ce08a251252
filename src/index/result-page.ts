/**
 * Keyset pagination over sorted matches: a page starts after the sort key of the previous page's
 * last item, found by binary search, so walking the pages costs O(log n) per page beyond sorting.
 */
import { QueryError } from '../query/errors.ts';
import type { QueryPage, QueryResult } from './reader.ts';
import type { MetadataRecord } from './record.ts';
import { compareSortKeys, decodePageKey, encodePageKey, sortKeyOf } from './sort-order.ts';
import type { SortKey, SortOrder, VersionLookup } from './sort-order.ts';

/**
 * Cuts one page out of all matches, which must be sorted in `order`. `total` counts all matches,
 * and `next` is set when more matches follow the page.
 *
 * @throws QueryError with field `limit` for a limit that is not an integer of at least 1, and with
 *   field `continue` for a page key that `decodePageKey` rejects.
 */
export function selectPage(
  sorted: readonly MetadataRecord[],
  order: SortOrder,
  page: QueryPage | undefined,
  versionOf: VersionLookup,
): QueryResult {
  const limit = page?.limit;
  if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 1)) {
    throw new QueryError('limit', String(limit), 'must be an integer of at least 1');
  }

  const after = page?.after;
  const start =
    after === undefined ? 0 : firstAfter(sorted, order, decodePageKey(order, after), versionOf);
  const end = limit === undefined ? sorted.length : Math.min(sorted.length, start + limit);
  const items = sorted.slice(start, end);

  const last = items.at(-1);
  if (end < sorted.length && last !== undefined) {
    return { items, total: sorted.length, next: encodePageKey(order, last) };
  }

  return { items, total: sorted.length };
}

/** Returns the position of the first record that sorts after `key`. */
function firstAfter(
  sorted: readonly MetadataRecord[],
  order: SortOrder,
  key: SortKey,
  versionOf: VersionLookup,
): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const record = sorted[middle] as MetadataRecord;
    if (compareSortKeys(order, sortKeyOf(order, record, versionOf), key) <= 0) {
      low = middle + 1;
    } else {
      high = middle;
    }
  }

  return low;
}
