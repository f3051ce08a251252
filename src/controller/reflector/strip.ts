import type { ServiceMetadata } from '../../api/types.ts';

/** The raw shape of an object as the API server returns it, before anything was checked. */
interface RawObject {
  apiVersion?: unknown;
  kind?: unknown;
  metadata?: Record<string, unknown>;
  spec?: unknown;
  status?: unknown;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/**
 * Returns the part of a `ServiceMetadata` object that the operator reads. `managedFields`,
 * annotations (the last-applied configuration of `kubectl apply` among them), labels, owner
 * references and finalizers are dropped, because the index and the status never read them and
 * they often outweigh the spec.
 */
export function toStoredObject(raw: unknown): ServiceMetadata {
  const object = (raw ?? {}) as RawObject;
  const metadata = object.metadata ?? {};
  const generation = metadata.generation;
  const stored: ServiceMetadata = {
    apiVersion: text(object.apiVersion),
    kind: text(object.kind),
    metadata: {
      namespace: text(metadata.namespace),
      name: text(metadata.name),
      uid: text(metadata.uid),
      resourceVersion: text(metadata.resourceVersion),
      generation: typeof generation === 'number' ? generation : 0,
    },
    spec: object.spec,
  };
  if (typeof metadata.creationTimestamp === 'string') {
    stored.metadata.creationTimestamp = metadata.creationTimestamp;
  }
  if (typeof metadata.deletionTimestamp === 'string') {
    stored.metadata.deletionTimestamp = metadata.deletionTimestamp;
  }
  if (object.status !== undefined && object.status !== null && typeof object.status === 'object') {
    stored.status = object.status;
  }
  return stored;
}
