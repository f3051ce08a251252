/**
 * The reflector's store: the latest copy of every object, keyed by namespace/name, and the
 * changes that each watch event or complete list makes to it. An object whose uid changed under
 * the same name was deleted and created again in between, so it is reported as a delete followed
 * by an add, never as an update.
 */

/** The metadata fields that the store reads. */
export interface StoredObject {
  readonly metadata: {
    readonly namespace: string;
    readonly name: string;
    readonly uid: string;
    readonly resourceVersion: string;
  };
}

/** One change to the store. */
export type Delta<T> =
  | { readonly type: 'added'; readonly object: T }
  | { readonly type: 'updated'; readonly object: T; readonly previous: T }
  | { readonly type: 'deleted'; readonly object: T };

/** Returns the store key of an object: `namespace/name`. */
export function objectKey(object: StoredObject): string {
  return `${object.metadata.namespace}/${object.metadata.name}`;
}

/** The latest copy of every object that the reflector has seen. */
export class ObjectStore<T extends StoredObject> {
  private readonly objects = new Map<string, T>();

  get size(): number {
    return this.objects.size;
  }

  get(key: string): T | undefined {
    return this.objects.get(key);
  }

  values(): IterableIterator<T> {
    return this.objects.values();
  }

  keys(): IterableIterator<string> {
    return this.objects.keys();
  }

  /** Applies an ADDED or MODIFIED event and returns the changes it made. */
  upsert(object: T): Delta<T>[] {
    const key = objectKey(object);
    const previous = this.objects.get(key);
    this.objects.set(key, object);

    if (previous === undefined) {
      return [{ type: 'added', object }];
    }
    if (previous.metadata.uid !== object.metadata.uid) {
      return [
        { type: 'deleted', object: previous },
        { type: 'added', object },
      ];
    }
    return [{ type: 'updated', object, previous }];
  }

  /**
   * Applies a DELETED event. A delete of another uid than the stored one refers to an object that
   * the store already saw replaced, so it changes nothing.
   */
  delete(object: T): Delta<T>[] {
    const key = objectKey(object);
    const previous = this.objects.get(key);
    if (previous === undefined || previous.metadata.uid !== object.metadata.uid) {
      return [];
    }
    this.objects.delete(key);
    return [{ type: 'deleted', object: previous }];
  }

  /**
   * Replaces the whole content with a complete list and returns the changes: objects missing from
   * the list were deleted, objects with another uid were re-created, and objects with another
   * resourceVersion were updated. Objects listed with the stored resourceVersion are unchanged.
   */
  replace(listed: readonly T[]): Delta<T>[] {
    const deltas: Delta<T>[] = [];
    const seen = new Set<string>();

    for (const object of listed) {
      const key = objectKey(object);
      seen.add(key);
      const previous = this.objects.get(key);
      if (previous?.metadata.resourceVersion === object.metadata.resourceVersion) {
        continue;
      }
      deltas.push(...this.upsert(object));
    }

    for (const [key, previous] of this.objects) {
      if (!seen.has(key)) {
        this.objects.delete(key);
        deltas.push({ type: 'deleted', object: previous });
      }
    }
    return deltas;
  }
}
