import type { NormalizedSpec } from '../api/service-metadata.ts';
import type { ServiceMetadata } from '../api/types.ts';
import { recordKey, type MetadataRecord } from '../index/record.ts';

/** Returns the index record of a valid object, from its metadata and its normalized spec. */
export function toRecord(object: ServiceMetadata, spec: NormalizedSpec): MetadataRecord {
  const { namespace, name, uid, generation } = object.metadata;
  return {
    key: recordKey(namespace, name),
    namespace,
    name,
    uid,
    generation,
    service: spec.service,
    version: spec.version,
    environment: spec.environment,
    region: spec.region,
    tags: spec.tags,
    attributes: spec.attributes,
  };
}
