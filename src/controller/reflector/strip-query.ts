import type { MetadataQueryObject } from '../../api/metadata-query.ts';

/** The raw shape of a query object as the API server returns it, before anything was checked. */
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
 * Returns the part of a `MetadataQuery` or `ClusterMetadataQuery` object that the operator reads;
 * a cluster-scoped object gets the namespace `""`. Annotations, labels and `managedFields` are
 * dropped, as for `ServiceMetadata`.
 */
export function toStoredQuery(raw: unknown): MetadataQueryObject {
  const object = (raw ?? {}) as RawObject;
  const metadata = object.metadata ?? {};
  const stored: MetadataQueryObject = {
    apiVersion: text(object.apiVersion),
    kind: text(object.kind),
    metadata: {
      namespace: text(metadata.namespace),
      name: text(metadata.name),
      uid: text(metadata.uid),
      resourceVersion: text(metadata.resourceVersion),
      generation: typeof metadata.generation === 'number' ? metadata.generation : 0,
    },
    spec: object.spec,
  };
  if (typeof object.status === 'object' && object.status !== null) {
    stored.status = object.status;
  }
  return stored;
}
