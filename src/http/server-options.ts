/**
 * The options of `createQueryServer` and their defaults. Each field's doc gives its default; the
 * server checks the bounds when it is created.
 */
import type { IndexReader } from '../index/reader.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { Authenticator } from './authenticator.ts';

export { DEFAULT_CACHE_MAX_BYTES } from './query-cache.ts';
export { DEFAULT_MAX_TRACKED_QUERIES } from './result-versions.ts';
export {
  DEFAULT_MAX_WATCH_STREAMS,
  DEFAULT_WATCH_BOOKMARK_INTERVAL_MS,
  DEFAULT_WATCH_MAX_BUFFER_BYTES,
} from './watch-registry.ts';

/** Default of `QueryServerOptions.host`: every IPv4 interface, as a pod needs. */
export const DEFAULT_HOST = '0.0.0.0';

/** Default of `QueryServerOptions.port`. */
export const DEFAULT_PORT = 8080;

/** Default of `QueryServerOptions.cacheMaxEntries`. */
export const DEFAULT_CACHE_MAX_ENTRIES = 1024;

/** Default of `QueryServerOptions.cacheTtlSeconds`. */
export const DEFAULT_CACHE_TTL_SECONDS = 300;

/** Options of `createQueryServer`. */
export interface QueryServerOptions {
  /** The index to query. Required. */
  readonly index: IndexReader;
  /**
   * The readiness signal behind `/readyz`, read on every request. Required. The caller decides
   * what ready means (the initial list applied, for example); the server only reports it.
   */
  readonly readiness: () => { ready: boolean; reason?: string };
  /**
   * Seconds since the index last received a watch event or bookmark, sent in
   * `X-Index-Stale-Seconds` and rounded to one decimal. Required. A value that is not finite
   * leaves the header out; a negative value is sent as 0.
   */
  readonly staleSeconds: () => number;
  /**
   * Authenticates the requests of the query routes and tells which namespaces their caller may
   * read. Required: `ALLOW_ALL` lets every caller read every namespace.
   */
  readonly authenticator: Authenticator;
  /** The metrics that the server records. Required. */
  readonly metrics: Metrics;
  /** The parent logger; the server logs through a child with `component: 'http'`. Required. */
  readonly logger: Logger;
  /** The address to listen on. Default: `DEFAULT_HOST` (`0.0.0.0`). */
  readonly host?: string;
  /** The TCP port to listen on; 0 picks a free port. Default: `DEFAULT_PORT` (8080). */
  readonly port?: number;
  /**
   * Maximum number of query results in the result cache; 0 disables the cache.
   * Default: `DEFAULT_CACHE_MAX_ENTRIES` (1024).
   */
  readonly cacheMaxEntries?: number;
  /**
   * Maximum approximate size of all cached results, in bytes (the length of their JSON and
   * keys); 0 disables the cache. Default: `DEFAULT_CACHE_MAX_BYTES` (64 MiB).
   */
  readonly cacheMaxBytes?: number;
  /**
   * Time in whole seconds after which a cached result expires even though the index did not
   * change; 0 means never. Default: `DEFAULT_CACHE_TTL_SECONDS` (300).
   */
  readonly cacheTtlSeconds?: number;
  /**
   * Maximum number of queries whose result version is tracked for `X-Result-Version` and
   * `waitForChange`; the least recently used is forgotten first. Default:
   * `DEFAULT_MAX_TRACKED_QUERIES` (4096).
   */
  readonly maxTrackedQueries?: number;
  /**
   * Maximum number of watch streams open at once; a watch request past it gets a 429.
   * Default: `DEFAULT_MAX_WATCH_STREAMS` (100).
   */
  readonly maxWatchStreams?: number;
  /**
   * Bytes that a watch stream may queue and buffer for a client that reads too slowly before it
   * ends with an `Expired` error. Default: `DEFAULT_WATCH_MAX_BUFFER_BYTES` (1 MiB).
   */
  readonly watchMaxBufferBytes?: number;
  /**
   * Minimum time between two bookmarks of a watch stream, in milliseconds.
   * Default: `DEFAULT_WATCH_BOOKMARK_INTERVAL_MS` (1000).
   */
  readonly watchBookmarkIntervalMs?: number;
}
