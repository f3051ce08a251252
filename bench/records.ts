/**
 * Turns generated objects into what the operator holds: the object as the API server returns it,
 * the reflector's stored object, and the index record, through the operator's own validation.
 */
import { randomUUID } from 'node:crypto';

import { validateServiceMetadata, type ValidationLimits } from '../src/api/service-metadata.ts';
import type { ServiceMetadata } from '../src/api/types.ts';
import { toStoredObject } from '../src/controller/reflector/strip.ts';
import { toRecord } from '../src/controller/records.ts';
import type { MetadataRecord } from '../src/index/record.ts';
import { manifestOf, type GeneratedObject } from './dataset.ts';

/** The validation limits of the operator's defaults. */
export const DEFAULT_LIMITS: ValidationLimits = {
  maxTags: 64,
  maxTagLength: 63,
  allowedEnvironments: [],
  maxAttributes: 32,
  maxAttributeValueLength: 256,
};

/**
 * Returns the JSON text of an object in the shape the API server returns, with server-set
 * metadata. It leaves out `managedFields` and `status`, which the API server adds and the
 * operator drops or reads only for status writes.
 */
export function apiObjectJson(object: GeneratedObject, resourceVersion: number): string {
  const manifest = manifestOf(object) as { metadata: Record<string, unknown> };
  manifest.metadata = {
    ...manifest.metadata,
    uid: randomUUID(),
    resourceVersion: String(resourceVersion),
    generation: 1,
    creationTimestamp: '2025-01-01T00:00:00Z',
  };
  return JSON.stringify(manifest);
}

/** Returns the reflector's stored object of an object decoded from the API server's JSON. */
export function storedObjectOf(json: string): ServiceMetadata {
  return toStoredObject(JSON.parse(json));
}

/**
 * Returns the index record of a stored object, as the operator's watch handler builds it.
 *
 * @throws Error when the generated spec is invalid, which would be a bug in the generator.
 */
export function recordOf(object: ServiceMetadata): MetadataRecord {
  const result = validateServiceMetadata(object.spec, DEFAULT_LIMITS);
  if (!result.valid) {
    const { namespace, name } = object.metadata;
    throw new Error(`generated object ${namespace}/${name} is invalid: ${result.message}`);
  }

  return toRecord(object, result.spec);
}

/** Returns the index records of generated objects. */
export function recordsOf(objects: readonly GeneratedObject[]): MetadataRecord[] {
  return objects.map((object, position) =>
    recordOf(storedObjectOf(apiObjectJson(object, position + 1))),
  );
}
