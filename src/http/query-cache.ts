/**
 * The result cache of the query endpoint: an LRU cache (the `lru-cache` package) keyed by the
 * normalized query and page, bounded by a number of entries and by approximate bytes, whose
 * entries also expire after a TTL.
 *
 * Invalidation follows the index instead of its revision. Each entry keeps its compiled query,
 * and the owner passes every index change to `invalidate`, which drops exactly the entries whose
 * query matches the record before or after the change (`changeAffects`). No other entry's result
 * can differ, so a write to an unrelated object keeps every entry, where a cache checked against
 * the revision would lose them all on every write. A result is correct only while every change
 * reaches `invalidate` before the next look-up: the server subscribes the cache to the index
 * while it listens and clears it when it stops.
 */
import { LRUCache } from 'lru-cache';

import type { IndexChange } from '../index/reader.ts';
import type { Metrics } from '../observability/metrics.ts';
import { compileQuery, type CompiledQuery } from '../query/matcher.ts';
import type { ServiceQuery } from '../query/model.ts';
import { changeAffects } from './query-change.ts';
import { serviceQueryCacheKey } from './service-query-parameters.ts';

/** Default bound of the approximate size of all cached results, in bytes: 64 MiB. */
export const DEFAULT_CACHE_MAX_BYTES = 64 * 1024 * 1024;

/** Options of a `QueryCache`. */
export interface QueryCacheOptions<V> {
  /** Maximum number of cached results; 0 disables the cache, so every look-up is a miss. */
  readonly maxEntries: number;
  /**
   * Maximum of the approximate size of all cached results, in bytes; 0 disables the cache. When
   * a new result would go over it, the least recently used entries are evicted, and a single
   * result larger than the bound is not stored at all.
   */
  readonly maxBytes: number;
  /** Time in seconds after which an entry expires although the index did not change; 0 is never. */
  readonly ttlSeconds: number;
  /**
   * The approximate size of a value in bytes, such as the length of its serialized JSON. The
   * cache adds the length of the key.
   */
  readonly sizeOf: (value: V) => number;
  /**
   * Receives a `hit` or `miss` in `queryCacheTotal` for every look-up, evictions in
   * `queryCacheEvictionsTotal`, and the entries and bytes held in `queryCacheEntries` and
   * `queryCacheBytes`.
   */
  readonly metrics: Metrics;
}

interface CacheEntry<V> {
  readonly value: V;
  /** The normalized query (`serviceQueryCacheKey`), shared by every page of the query. */
  readonly queryKey: string;
  readonly compiled: CompiledQuery;
}

/** The `reason` label of `queryCacheEvictionsTotal` for each removal that lru-cache reports. */
const EVICTION_REASONS: Partial<Record<LRUCache.DisposeReason, string>> = {
  evict: 'size',
  expire: 'expired',
};

/** An LRU cache of query results that drops a result as soon as an index change can alter it. */
export class QueryCache<V extends object> {
  readonly #entries: LRUCache<string, CacheEntry<V>> | undefined;
  readonly #metrics: Metrics;

  /** @throws RangeError when `maxEntries`, `maxBytes` or `ttlSeconds` is negative or fractional. */
  constructor(options: QueryCacheOptions<V>) {
    checkNonNegativeInteger('cacheMaxEntries', options.maxEntries);
    checkNonNegativeInteger('cacheMaxBytes', options.maxBytes);
    checkNonNegativeInteger('cacheTtlSeconds', options.ttlSeconds);

    this.#metrics = options.metrics;
    if (options.maxEntries === 0 || options.maxBytes === 0) {
      this.#entries = undefined;
      return;
    }

    const { sizeOf } = options;
    this.#entries = new LRUCache<string, CacheEntry<V>>({
      max: options.maxEntries,
      maxSize: options.maxBytes,
      ttl: options.ttlSeconds * 1000,
      // lru-cache requires a positive integer size.
      sizeCalculation: (entry, key) => Math.max(1, Math.ceil(sizeOf(entry.value)) + key.length),
      dispose: (_entry, _key, reason) => {
        const label = EVICTION_REASONS[reason];
        if (label !== undefined) {
          this.#metrics.queryCacheEvictionsTotal.inc({ reason: label });
        }
      },
    });
  }

  /**
   * Returns the value cached under `key`, or computes, stores and returns it. Counts a hit or a
   * miss. When `compute` throws, nothing is stored and the error propagates.
   *
   * `query` is the query whose result `compute` returns: `invalidate` drops the entry when a
   * change touches a record that matches it. `compute` must read the index synchronously, so
   * that no change can fall between computing and storing.
   */
  resolve(key: string, query: ServiceQuery, compute: () => V): V {
    const cached = this.#entries?.get(key);
    if (cached !== undefined) {
      this.#metrics.queryCacheTotal.inc({ result: 'hit' });
      return cached.value;
    }

    this.#metrics.queryCacheTotal.inc({ result: 'miss' });
    const value = compute();
    if (this.#entries !== undefined) {
      const entry = { value, queryKey: serviceQueryCacheKey(query), compiled: compileQuery(query) };
      this.#entries.set(key, entry);
      this.#reportSize();
    }

    return value;
  }

  /**
   * Drops every entry whose result `change` can alter, that is whose query matches the record
   * before or after the change. Returns the number of entries dropped.
   */
  invalidate(change: IndexChange): number {
    if (this.#entries === undefined || this.#entries.size === 0) {
      return 0;
    }

    // Pages of one query share a compiled query, so each query is tested once per change.
    const verdicts = new Map<string, boolean>();
    const stale: string[] = [];
    for (const [key, entry] of this.#entries.entries()) {
      let affected = verdicts.get(entry.queryKey);
      if (affected === undefined) {
        affected = changeAffects(entry.compiled, change);
        verdicts.set(entry.queryKey, affected);
      }

      if (affected) {
        stale.push(key);
      }
    }

    for (const key of stale) {
      this.#entries.delete(key);
    }

    if (stale.length > 0) {
      this.#metrics.queryCacheEvictionsTotal.inc({ reason: 'invalidated' }, stale.length);
      this.#reportSize();
    }

    return stale.length;
  }

  /** Drops every entry, as when the cache stops receiving the index's changes. */
  clear(): void {
    this.#entries?.clear();
    this.#reportSize();
  }

  /** Number of entries stored, including expired ones not yet removed. */
  get size(): number {
    return this.#entries?.size ?? 0;
  }

  /** The approximate size of the stored entries, in bytes. */
  get bytes(): number {
    return this.#entries?.calculatedSize ?? 0;
  }

  #reportSize(): void {
    this.#metrics.queryCacheEntries.set(this.size);
    this.#metrics.queryCacheBytes.set(this.bytes);
  }
}

function checkNonNegativeInteger(option: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`invalid ${option} ${value}: must be an integer of 0 or more`);
  }
}
