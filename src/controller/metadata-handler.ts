/**
 * Applies the reflector's changes to the index, in the watch event handler and in order:
 * validation and indexing are pure and cannot fail, so nothing waits in a queue. An object that
 * fails validation is removed from the index, and every added or changed object is queued for a
 * status reconcile, together with the objects whose conflicts the change started or ended.
 */
import { conflictIdentity, type ConflictTracker } from '../api/conflicts.ts';
import { validateServiceMetadata, type ValidationLimits } from '../api/service-metadata.ts';
import type { ServiceMetadata } from '../api/types.ts';
import type { MetadataIndex } from '../index/metadata-index.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { Delta } from './reflector/store.ts';
import { objectKey } from './reflector/store.ts';
import { toRecord } from './records.ts';

/** Options of a `MetadataHandler`. */
export interface MetadataHandlerOptions {
  readonly index: MetadataIndex;
  readonly limits: ValidationLimits;
  readonly metrics: Metrics;
  /** The conflicts between valid objects, which the handler keeps up to date. */
  readonly conflicts: ConflictTracker;
  /** Queues a key for a status reconcile. */
  readonly enqueue: (key: string) => void;
}

/** Keeps the index equal to the valid objects of the reflectors' stores. */
export class MetadataHandler {
  private readonly options: MetadataHandlerOptions;
  private readonly invalid = new Set<string>();

  constructor(options: MetadataHandlerOptions) {
    this.options = options;
  }

  /** Applies changes in the order given. */
  handle(deltas: readonly Delta<ServiceMetadata>[]): void {
    for (const delta of deltas) {
      const key = objectKey(delta.object);
      if (delta.type === 'deleted') {
        this.options.index.delete(key, delta.object.metadata.resourceVersion);
        this.invalid.delete(key);
        this.track(key, undefined);
        continue;
      }
      this.index(key, delta.object);
      this.options.enqueue(key);
    }
    this.options.metrics.objects.set({ state: 'indexed' }, this.options.index.size);
    this.options.metrics.objects.set({ state: 'invalid' }, this.invalid.size);
    this.options.metrics.conflictingObjects.set(this.options.conflicts.conflictingObjects);
  }

  private index(key: string, object: ServiceMetadata): void {
    const resourceVersion = object.metadata.resourceVersion;
    const result = validateServiceMetadata(object.spec, this.options.limits);
    if (!result.valid) {
      this.options.index.delete(key, resourceVersion);
      this.invalid.add(key);
      this.track(key, undefined);
      return;
    }
    this.invalid.delete(key);
    this.options.index.upsert(toRecord(object, result.spec), resourceVersion);
    this.track(key, conflictIdentity(object.metadata.namespace, result.spec));
  }

  /** Records the object's identity and queues the other objects whose conflicts changed. */
  private track(key: string, identity: string | undefined): void {
    for (const affected of this.options.conflicts.update(key, identity)) {
      if (affected !== key) {
        this.options.enqueue(affected);
      }
    }
  }
}
