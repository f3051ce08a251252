import type { SemVer } from 'semver';

import type { Facets } from './reader.ts';
import type { MetadataRecord } from './record.ts';

/**
 * Counts records per tag, environment, region and major version. Each map lists only values with
 * a count of at least 1, with keys in ascending code-unit order (except that JavaScript lists keys
 * that are array indexes, such as major versions, first and in numeric order).
 */
export function countFacets(
  records: readonly MetadataRecord[],
  versionOf: (record: MetadataRecord) => SemVer,
): Facets {
  const tags = new Map<string, number>();
  const environments = new Map<string, number>();
  const regions = new Map<string, number>();
  const majorVersions = new Map<string, number>();

  for (const record of records) {
    for (const tag of new Set(record.tags)) {
      increment(tags, tag);
    }

    increment(environments, record.environment);
    increment(regions, record.region);
    increment(majorVersions, String(versionOf(record).major));
  }

  return {
    total: records.length,
    tags: toRecord(tags),
    environments: toRecord(environments),
    regions: toRecord(regions),
    majorVersions: toRecord(majorVersions),
  };
}

function increment(counts: Map<string, number>, value: string): void {
  counts.set(value, (counts.get(value) ?? 0) + 1);
}

/**
 * Copies counts into a plain object with sorted keys. Object.fromEntries defines own properties,
 * so a value such as `__proto__` stays an ordinary key.
 */
function toRecord(counts: ReadonlyMap<string, number>): Record<string, number> {
  const entries = [...counts].sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
  return Object.fromEntries(entries);
}
