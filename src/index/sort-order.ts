/**
 * The two sort orders of query results and their page keys.
 *
 * - `name`: namespace, then name, in ascending code-unit order (see `compareRecords`).
 * - `version`: newest first by SemVer 2.0.0 precedence, so `2.0.0` before `2.0.0-rc.1` before
 *   `1.9.0`. Build metadata is ignored, as the specification requires, so `1.0.0+a` and `1.0.0+b`
 *   tie. Ties are broken by namespace, then name, ascending.
 *
 * A page key is the sort key of the last item of a page, written as a JSON array:
 * `["name",namespace,name]` or `["version",version,namespace,name]`. Callers treat it as opaque.
 * Because it contains the sort key rather than a position, a page that starts after it is correct
 * however the records changed in between.
 */
import type { SemVer } from 'semver';

import { QueryError } from '../query/errors.ts';
import type { ServiceQuery } from '../query/model.ts';
import { parseVersion } from '../query/version.ts';
import type { MetadataRecord } from './record.ts';
import { compareRecords } from './record-order.ts';

/** The sort order of a query. */
export type SortOrder = ServiceQuery['sort'];

/** Returns the parsed version of a record. */
export type VersionLookup = (record: MetadataRecord) => SemVer;

/** The sort key of a record: what a page key stores. */
export interface SortKey {
  readonly namespace: string;
  readonly name: string;
  /** The version; set only for the `version` order. */
  readonly version?: SemVer;
}

/** Compares two sort keys in `order`; a key without a version sorts as in `name` order. */
export function compareSortKeys(order: SortOrder, left: SortKey, right: SortKey): number {
  if (order === 'version' && left.version !== undefined && right.version !== undefined) {
    // SemVer.compare ignores build metadata. Newest first, so the right side comes first.
    const byVersion = right.version.compare(left.version);
    if (byVersion !== 0) {
      return byVersion;
    }
  }

  return compareRecords(left, right);
}

/** Returns the comparator of records in `order`, reading versions through `versionOf`. */
export function recordComparator(
  order: SortOrder,
  versionOf: VersionLookup,
): (left: MetadataRecord, right: MetadataRecord) => number {
  if (order === 'name') {
    return compareRecords;
  }

  // SemVer.compare ignores build metadata. Newest first, so the right side is compared first.
  return (left, right) => versionOf(right).compare(versionOf(left)) || compareRecords(left, right);
}

/** Returns the sort key of a record in `order`. */
export function sortKeyOf(
  order: SortOrder,
  record: MetadataRecord,
  versionOf: VersionLookup,
): SortKey {
  if (order === 'name') {
    return { namespace: record.namespace, name: record.name };
  }

  return { namespace: record.namespace, name: record.name, version: versionOf(record) };
}

/** Writes the page key of a record in `order`. */
export function encodePageKey(order: SortOrder, record: MetadataRecord): string {
  const fields =
    order === 'name'
      ? [order, record.namespace, record.name]
      : [order, record.version, record.namespace, record.name];
  return JSON.stringify(fields);
}

const NOT_A_KEY = 'not a page key returned by a query; pass the key unchanged';

/**
 * Reads a page key written by `encodePageKey` for the same order.
 *
 * @throws QueryError with field `continue` when the text is not such a key or was written for the
 *   other order.
 */
export function decodePageKey(order: SortOrder, text: string): SortKey {
  const fields = parseStrings(text);
  if (fields === undefined) {
    throw new QueryError('continue', text, NOT_A_KEY, { label: 'page key' });
  }

  const [kind, ...rest] = fields;
  if (kind !== order && (kind === 'name' || kind === 'version')) {
    const rule = `was returned for sort=${kind}, but the query has sort=${order}`;
    throw new QueryError('continue', text, rule, { label: 'page key' });
  }

  if (order === 'name' && rest.length === 2) {
    const [namespace = '', name = ''] = rest;
    return { namespace, name };
  }

  if (order === 'version' && rest.length === 3) {
    const [display = '', namespace = '', name = ''] = rest;
    return { namespace, name, version: parseKeyVersion(text, display) };
  }

  throw new QueryError('continue', text, NOT_A_KEY, { label: 'page key' });
}

/** Parses a JSON array of strings, or returns undefined. */
function parseStrings(text: string): string[] | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // Any text that is not JSON is not a page key; the caller reports that.
    return undefined;
  }

  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    return undefined;
  }

  return value;
}

function parseKeyVersion(text: string, display: string): SemVer {
  try {
    return parseVersion(display);
  } catch (error) {
    throw new QueryError('continue', text, NOT_A_KEY, { label: 'page key', cause: error });
  }
}
