/**
 * The options of `createQueryServer` and their defaults. Each field's doc gives its default; the
 * server checks the bounds when it is created.
 */
import type { IndexReader } from '../index/reader.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { NodeServerLimits } from './node-server.ts';
import type { Authenticator } from './authenticator.ts';

export { DEFAULT_CACHE_MAX_BYTES } from './query-cache.ts';
export { DEFAULT_MAX_TRACKED_QUERIES } from './result-versions.ts';
export {
  DEFAULT_MAX_PARAMETERS,
  DEFAULT_MAX_SELECTOR_LENGTH,
  DEFAULT_MAX_URL_LENGTH,
  DEFAULT_MAX_VALUES_PER_PARAMETER,
} from './request-limits.ts';
export {
  DEFAULT_MAX_WATCH_STREAMS,
  DEFAULT_MAX_WATCH_STREAMS_PER_CALLER,
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

/** Default of `QueryServerOptions.maxHeaderSize`: 16 KiB, Node's own default. */
export const DEFAULT_MAX_HEADER_SIZE = 16 * 1024;

/** Default of `QueryServerOptions.headersTimeoutMs`: 10 seconds. */
export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;

/** Default of `QueryServerOptions.requestTimeoutMs`: 30 seconds. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** Default of `QueryServerOptions.keepAliveTimeoutMs`: 5 seconds, Node's own default. */
export const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 5000;

/** Default of `QueryServerOptions.connectionsCheckingIntervalMs`: one second. */
export const DEFAULT_CONNECTIONS_CHECKING_INTERVAL_MS = 1000;

/** Default of `QueryServerOptions.maxConnections`. */
export const DEFAULT_MAX_CONNECTIONS = 1024;

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
   * Authenticates the requests of the query routes and returns the namespaces that their caller may
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
   * Maximum number of watch streams that one client (see `clientKeyOf`) may have open at once; a
   * watch request past it gets a 429. Default: `DEFAULT_MAX_WATCH_STREAMS_PER_CALLER` (10).
   */
  readonly maxWatchStreamsPerCaller?: number;
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
  /**
   * Maximum length of the request target (path and query string), in characters; a longer one
   * gets a 414. Default: `DEFAULT_MAX_URL_LENGTH` (8192).
   */
  readonly maxUrlLength?: number;
  /**
   * Maximum number of `name=value` pairs in a query string, repeats included; more get a 400.
   * Default: `DEFAULT_MAX_PARAMETERS` (256).
   */
  readonly maxParameters?: number;
  /**
   * Maximum number of occurrences of one list parameter, such as `tag`; more get a 400.
   * Default: `DEFAULT_MAX_VALUES_PER_PARAMETER` (64).
   */
  readonly maxValuesPerParameter?: number;
  /**
   * Maximum length of `selector` after decoding, at most 4096; a longer one gets a 400.
   * Default: `DEFAULT_MAX_SELECTOR_LENGTH` (4096).
   */
  readonly maxSelectorLength?: number;
  /**
   * Maximum size of the request line and headers together, in bytes (Node's `maxHeaderSize`);
   * a larger request gets a 431. Default: `DEFAULT_MAX_HEADER_SIZE` (16 KiB).
   */
  readonly maxHeaderSize?: number;
  /**
   * Time within which the request line and headers must arrive, in milliseconds (Node's
   * `headersTimeout`); at most `requestTimeoutMs`. A late request gets a 408.
   * Default: `DEFAULT_HEADERS_TIMEOUT_MS` (10 s).
   */
  readonly headersTimeoutMs?: number;
  /**
   * Time within which the whole request must arrive, in milliseconds (Node's `requestTimeout`).
   * It does not limit the response, so watch streams and waiting requests outlive it. A late
   * request gets a 408. Default: `DEFAULT_REQUEST_TIMEOUT_MS` (30 s).
   */
  readonly requestTimeoutMs?: number;
  /**
   * Idle time after which a keep-alive connection closes, in milliseconds (Node's
   * `keepAliveTimeout`). Default: `DEFAULT_KEEP_ALIVE_TIMEOUT_MS` (5 s).
   */
  readonly keepAliveTimeoutMs?: number;
  /**
   * How often Node checks the headers and request timeouts, in milliseconds, so a late request
   * gets its 408 up to this much after its timeout.
   * Default: `DEFAULT_CONNECTIONS_CHECKING_INTERVAL_MS` (1 s).
   */
  readonly connectionsCheckingIntervalMs?: number;
  /**
   * Maximum number of open TCP connections; Node closes a connection over it at once, before
   * reading a request, and counts it in `httpConnectionsRejectedTotal`.
   * Default: `DEFAULT_MAX_CONNECTIONS` (1024).
   */
  readonly maxConnections?: number;
}

/**
 * Returns the limits of Node's server from the options, with defaults.
 *
 * @throws RangeError naming the option and its value when a limit is not a positive integer, or
 *   when `headersTimeoutMs` is above `requestTimeoutMs`.
 */
export function nodeServerLimits(options: QueryServerOptions): NodeServerLimits {
  const limits: NodeServerLimits = {
    maxHeaderSize: options.maxHeaderSize ?? DEFAULT_MAX_HEADER_SIZE,
    headersTimeoutMs: options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS,
    requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    keepAliveTimeoutMs: options.keepAliveTimeoutMs ?? DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
    connectionsCheckingIntervalMs:
      options.connectionsCheckingIntervalMs ?? DEFAULT_CONNECTIONS_CHECKING_INTERVAL_MS,
    maxConnections: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
  };

  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new RangeError(`invalid ${name} ${String(value)}: must be a positive integer`);
    }
  }

  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    throw new RangeError(
      `invalid headersTimeoutMs ${limits.headersTimeoutMs}: must be at most requestTimeoutMs, ` +
        `which is ${limits.requestTimeoutMs}`,
    );
  }

  return limits;
}
