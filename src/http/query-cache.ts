/**
 * The result cache of the query endpoint: an LRU cache (the `lru-cache` package) keyed by the
 * normalized query, whose entries remember the index revision they were computed at.
 *
 * An entry is served only while the index still has that revision. An entry from an older revision
 * counts as a miss and is replaced. This was chosen over clearing the whole cache when the revision
 * moves because it needs no notification from the index and no shared "last seen" state. The
 * check is a single comparison at look-up, and stale entries leave through LRU eviction or the TTL.
 * Since the revision increases with every change to the stored records, a result that a change
 * could have altered is never served.
 */
import { LRUCache } from 'lru-cache';

import type { Metrics } from '../observability/metrics.ts';

/** Options of a `QueryCache`. */
export interface QueryCacheOptions {
  /** Maximum number of cached results; 0 disables the cache, so every look-up is a miss. */
  readonly maxEntries: number;
  /** Time in seconds after which an entry expires although the index did not change; 0 is never. */
  readonly ttlSeconds: number;
  /** Receives a `hit` or `miss` in `queryCacheTotal` for every look-up. */
  readonly metrics: Metrics;
}

interface CacheEntry<V> {
  readonly revision: number;
  readonly value: V;
}

/** An LRU cache of query results that never serves a result computed at another index revision. */
export class QueryCache<V extends object> {
  readonly #entries: LRUCache<string, CacheEntry<V>> | undefined;
  readonly #metrics: Metrics;

  /** @throws RangeError when `maxEntries` or `ttlSeconds` is negative or not an integer. */
  constructor(options: QueryCacheOptions) {
    checkNonNegativeInteger('cacheMaxEntries', options.maxEntries);
    checkNonNegativeInteger('cacheTtlSeconds', options.ttlSeconds);

    this.#metrics = options.metrics;
    this.#entries =
      options.maxEntries === 0
        ? undefined
        : new LRUCache({ max: options.maxEntries, ttl: options.ttlSeconds * 1000 });
  }

  /**
   * Returns the value cached under `key` at `revision`, or computes, stores and returns it.
   * Counts a hit or a miss. When `compute` throws, nothing is stored and the error propagates.
   *
   * The caller must read `revision` from the index before calling, and `compute` must query that
   * same index synchronously, so that no change can fall between the two.
   */
  resolve(key: string, revision: number, compute: () => V): V {
    const cached = this.#entries?.get(key);
    if (cached !== undefined && cached.revision === revision) {
      this.#metrics.queryCacheTotal.inc({ result: 'hit' });
      return cached.value;
    }

    this.#metrics.queryCacheTotal.inc({ result: 'miss' });
    const value = compute();
    this.#entries?.set(key, { revision, value });
    return value;
  }

  /** Number of entries stored, including those of an older revision not yet replaced. */
  get size(): number {
    return this.#entries?.size ?? 0;
  }
}

function checkNonNegativeInteger(option: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`invalid ${option} ${value}: must be an integer of 0 or more`);
  }
}
