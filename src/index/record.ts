/**
 * MetadataRecord is the form in which the index stores one valid `ServiceMetadata` object: only
 * the fields that queries read or return, already normalized, so that nothing in the index has to
 * know about Kubernetes objects.
 */
export interface MetadataRecord {
  /** `namespace/name`, the identity of the object in the index. */
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly generation: number;
  readonly service: string;
  /** The version as shown to users: the spec's version with a leading `v` removed, build metadata kept. */
  readonly version: string;
  readonly environment: string;
  readonly region: string;
  /** Unique tags in ascending code-unit order. */
  readonly tags: readonly string[];
  readonly attributes: Readonly<Record<string, string>>;
}

/** Returns the index key of an object: `namespace/name`. */
export function recordKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}
