import type { MetadataRecord } from './record.ts';

/**
 * Copies a record into a frozen snapshot that owns its tags and attributes, so that a caller who
 * changes its own arrays or objects after an upsert cannot leave stale index entries behind.
 */
export function snapshotRecord(record: MetadataRecord): MetadataRecord {
  return Object.freeze({
    key: record.key,
    namespace: record.namespace,
    name: record.name,
    uid: record.uid,
    generation: record.generation,
    service: record.service,
    version: record.version,
    environment: record.environment,
    region: record.region,
    tags: Object.freeze([...record.tags]),
    attributes: Object.freeze({ ...record.attributes }),
  });
}

/** Tells whether two records have equal fields, comparing tags in order and attributes by name. */
export function sameRecord(left: MetadataRecord, right: MetadataRecord): boolean {
  return (
    left.key === right.key &&
    left.namespace === right.namespace &&
    left.name === right.name &&
    left.uid === right.uid &&
    left.generation === right.generation &&
    left.service === right.service &&
    left.version === right.version &&
    left.environment === right.environment &&
    left.region === right.region &&
    sameTags(left.tags, right.tags) &&
    sameAttributes(left.attributes, right.attributes)
  );
}

function sameTags(left: readonly string[], right: readonly string[]): boolean {
  return left.length === right.length && left.every((tag, index) => tag === right[index]);
}

function sameAttributes(
  left: Readonly<Record<string, string>>,
  right: Readonly<Record<string, string>>,
): boolean {
  const names = Object.keys(left);
  if (names.length !== Object.keys(right).length) {
    return false;
  }

  return names.every((name) => Object.hasOwn(right, name) && left[name] === right[name]);
}
