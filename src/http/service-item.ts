/**
 * The JSON form of one indexed `ServiceMetadata` object in query responses.
 *
 * An item carries no resourceVersion on purpose: a status or label change bumps the resourceVersion
 * of an object without changing anything a query matches, so leaving it out keeps such a change
 * from altering any response.
 */
import type { MetadataRecord } from '../index/record.ts';

/** One object in the `items` of `GET /v1/services`, and the body of the single-object route. */
export interface ServiceItem {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly generation: number;
  readonly service: string;
  readonly version: string;
  readonly environment: string;
  readonly region: string;
  /** Unique tags in ascending code-unit order. */
  readonly tags: readonly string[];
  /**
   * Attributes with their keys in ascending code-unit order, except that JavaScript puts keys that
   * are array indexes (such as `"7"`) first, in numeric order.
   */
  readonly attributes: Readonly<Record<string, string>>;
}

/**
 * Copies the fields of a record that responses include, with tags and attribute keys sorted so
 * that the JSON text of equal records is byte-for-byte equal.
 */
export function toServiceItem(record: MetadataRecord): ServiceItem {
  return {
    namespace: record.namespace,
    name: record.name,
    uid: record.uid,
    generation: record.generation,
    service: record.service,
    version: record.version,
    environment: record.environment,
    region: record.region,
    tags: [...new Set(record.tags)].sort(),
    attributes: sortKeys(record.attributes),
  };
}

/**
 * Serializes records as the JSON array of `items`, ordered by namespace, then name, in code-unit
 * order.
 *
 * The index already returns that order, but sorting again here keeps the documented order of the
 * endpoint independent of how the index orders its keys. A sort by the `namespace/name` key would
 * differ, because `-` sorts before `/`: `a-b/x` precedes `a/x`, while namespace `a` precedes
 * `a-b`. The sort runs only on a cache miss and is linear for input that is already sorted.
 */
export function serializeItems(records: readonly MetadataRecord[]): string {
  const sorted = [...records].sort(compareRecords);
  return JSON.stringify(sorted.map(toServiceItem));
}

/** Orders records by namespace, then name, comparing code units. */
export function compareRecords(a: MetadataRecord, b: MetadataRecord): number {
  return compareText(a.namespace, b.namespace) || compareText(a.name, b.name);
}

function compareText(a: string, b: string): number {
  if (a === b) {
    return 0;
  }

  return a < b ? -1 : 1;
}

/**
 * Copies attributes with keys in code-unit order. Object.fromEntries defines own properties, so a
 * `__proto__` key stays an ordinary attribute.
 */
function sortKeys(attributes: Readonly<Record<string, string>>): Record<string, string> {
  const entries = Object.entries(attributes).sort(([a], [b]) => compareText(a, b));
  return Object.fromEntries(entries);
}
