import type { ObjectMeta, ServiceMetadataStatus } from '../../api/types.ts';

/** An object of one of the operator's resources, as the reflector stores it. */
export interface StoredResource<S> {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec: unknown;
  status?: S;
}

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
 * Returns the part of an object that the operator reads: `S` is the type of its status, by
 * default that of `ServiceMetadata`. `managedFields`, annotations (the last-applied configuration
 * of `kubectl apply` among them), labels, owner references and finalizers are dropped, because the
 * operator never reads them and they often outweigh the spec. A cluster-scoped object gets the
 * namespace `""`.
 */
export function toStoredObject<S = ServiceMetadataStatus>(raw: unknown): StoredResource<S> {
  const object = (raw ?? {}) as RawObject;
  const metadata = object.metadata ?? {};
  const generation = metadata.generation;
  const stored: StoredResource<S> = {
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
    stored.status = object.status as S;
  }
  return stored;
}
