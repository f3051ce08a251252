/**
 * The result version of each recently seen query, sent as `X-Result-Version`: the resourceVersion
 * of the last index change that altered the query's result (the set of matching items, or any
 * field of one). The waits of `waitForChange` block on it.
 *
 * A query seen for the first time gets the current watermark. The replica has seen no change to
 * the result since then, so that version means "no change since at least this version", not the
 * version of the last change. Queries live in an LRU map bounded by `maxQueries`, keyed by the
 * normalized filters (the sort does not change the set of items). A query that is evicted and
 * seen again starts over from the watermark. A query with waits in progress is kept outside the
 * bound until its last wait ends, so a wait cannot miss its change.
 *
 * The version of a change is its resourceVersion when that is above the watermark, as it is for
 * every watch event. A change without one, or at or below the watermark (a relist reports a
 * deleted object with its last resourceVersion, older than the delete), became visible after the
 * watermark at an unknown version. Its queries then take the next watermark, an upper bound.
 */
import { LRUCache } from 'lru-cache';

import type { IndexChange, IndexReader } from '../index/reader.ts';
import { compileQuery, type CompiledQuery } from '../query/matcher.ts';
import type { ServiceQuery } from '../query/model.ts';
import { changeAffects } from './query-change.ts';
import { RequestWait, type WaitOutcome } from './request-wait.ts';
import { serviceQueryCacheKey } from './service-query-parameters.ts';

/** Default of `ResultVersionsOptions.maxQueries`. */
export const DEFAULT_MAX_TRACKED_QUERIES = 4096;

/** A decimal integer: the only resourceVersion form that can be compared. */
const DECIMAL = /^[0-9]+$/;

/** Options of `ResultVersions`. */
export interface ResultVersionsOptions {
  /** The index whose changes the owner passes to `onChange` and `onWatermark`. */
  readonly index: IndexReader;
  /** Maximum number of queries tracked, not counting those with waits in progress. */
  readonly maxQueries: number;
}

/**
 * The outcome of `waitForChange`: `changed` when the result had already changed since the given
 * version, `unknown` when the replica cannot prove that it did not, else how the wait ended.
 */
export type ChangeWaitOutcome = 'changed' | 'unknown' | WaitOutcome;

interface TrackedQuery {
  readonly compiled: CompiledQuery;
  /** The watermark when tracking began: no change before it is known. */
  readonly since: bigint;
  version: bigint;
  /** Whether a change awaits its version from the next watermark. */
  pending: boolean;
  readonly waits: Set<RequestWait>;
}

/** The result versions of recently seen queries, and the waits for their next change. */
export class ResultVersions {
  readonly #index: IndexReader;
  readonly #tracked: LRUCache<string, TrackedQuery>;
  /** Queries evicted from `#tracked` while waits were in progress. */
  readonly #pinned = new Map<string, TrackedQuery>();
  /** Queries with a change whose version the next watermark sets. */
  readonly #pending = new Set<TrackedQuery>();

  /** @throws RangeError when `maxQueries` is not a positive integer. */
  constructor(options: ResultVersionsOptions) {
    if (!Number.isSafeInteger(options.maxQueries) || options.maxQueries < 1) {
      const value = String(options.maxQueries);
      throw new RangeError(`invalid maxTrackedQueries ${value}: must be a positive integer`);
    }

    this.#index = options.index;
    this.#tracked = new LRUCache<string, TrackedQuery>({
      max: options.maxQueries,
      dispose: (tracked, key, reason) => {
        if (reason === 'evict' && tracked.waits.size > 0) {
          this.#pinned.set(key, tracked);
        }
      },
    });
  }

  /** Number of queries tracked, those with waits in progress included. */
  get size(): number {
    return this.#tracked.size + this.#pinned.size;
  }

  /** Returns the result version of `query`, tracking it from the current watermark when new. */
  versionOf(query: ServiceQuery): string {
    return this.#track(query).version.toString();
  }

  /**
   * Waits until the result of `query` changes after `version`, for at most `timeoutMs`.
   * Returns `unknown` at once when the replica cannot prove that no change happened since
   * `version`: it began tracking the query later, its watermark is below `version`, or a change
   * still awaits its version. Returns `changed` at once when the result version is already above
   * `version`. Otherwise the wait ends `woken` by the next change of this result (and by no other
   * change), `timeout`, or `aborted` when `signal` aborts.
   */
  waitForChange(
    query: ServiceQuery,
    version: bigint,
    timeoutMs: number,
    signal: AbortSignal,
  ): Promise<ChangeWaitOutcome> {
    const key = resultKey(query);
    const tracked = this.#track(query);
    const watermark = BigInt(this.#index.watermark);
    if (tracked.since > version || tracked.pending || watermark < version) {
      return Promise.resolve('unknown');
    }

    if (tracked.version > version) {
      return Promise.resolve('changed');
    }

    const wait = new RequestWait(timeoutMs, signal, (ended) => this.#release(key, tracked, ended));
    if (!wait.ended) {
      tracked.waits.add(wait);
    }

    return wait.promise;
  }

  /** Moves the version of every query whose result `change` alters, and wakes its waits. */
  onChange(change: IndexChange): void {
    const watermark = BigInt(this.#index.watermark);
    const resourceVersion = change.resourceVersion;
    const version =
      resourceVersion !== undefined && DECIMAL.test(resourceVersion)
        ? BigInt(resourceVersion)
        : undefined;

    for (const tracked of this.#all()) {
      if (!changeAffects(tracked.compiled, change)) {
        continue;
      }

      if (version !== undefined && version > watermark) {
        tracked.version = version > tracked.version ? version : tracked.version;
      } else {
        tracked.pending = true;
        this.#pending.add(tracked);
      }

      wakeAll(tracked);
    }
  }

  /** Gives the new watermark to every query whose last change had no version above the old one. */
  onWatermark(watermark: string): void {
    const value = BigInt(watermark);
    for (const tracked of this.#pending) {
      tracked.version = value > tracked.version ? value : tracked.version;
      tracked.pending = false;
      wakeAll(tracked);
    }

    this.#pending.clear();
  }

  /** Forgets every query and ends every wait as `aborted`, as when the index stops reporting. */
  clear(): void {
    for (const tracked of [...this.#all()]) {
      for (const wait of [...tracked.waits]) {
        wait.end('aborted');
      }
    }

    this.#tracked.clear();
    this.#pinned.clear();
    this.#pending.clear();
  }

  #track(query: ServiceQuery): TrackedQuery {
    const key = resultKey(query);
    const known = this.#tracked.get(key);
    if (known !== undefined) {
      return known;
    }

    const pinned = this.#pinned.get(key);
    if (pinned !== undefined) {
      this.#pinned.delete(key);
      this.#tracked.set(key, pinned);
      return pinned;
    }

    const watermark = BigInt(this.#index.watermark);
    const tracked: TrackedQuery = {
      compiled: compileQuery(query),
      since: watermark,
      version: watermark,
      pending: false,
      waits: new Set(),
    };
    this.#tracked.set(key, tracked);
    return tracked;
  }

  /** Drops an ended wait; a query kept past the bound for its waits returns to the LRU map. */
  #release(key: string, tracked: TrackedQuery, wait: RequestWait): void {
    tracked.waits.delete(wait);
    if (tracked.waits.size === 0 && this.#pinned.get(key) === tracked) {
      this.#pinned.delete(key);
      this.#tracked.set(key, tracked);
    }
  }

  *#all(): Generator<TrackedQuery> {
    yield* this.#tracked.values();
    yield* this.#pinned.values();
  }
}

/** Returns the key of a query's result: its normalized filters, without the sort. */
function resultKey(query: ServiceQuery): string {
  return serviceQueryCacheKey({ ...query, sort: 'name' });
}

function wakeAll(tracked: TrackedQuery): void {
  for (const wait of [...tracked.waits]) {
    wait.end('woken');
  }
}
