/**
 * The types that route handlers share: what a handler reads (`RouteContext`, `RouteRequest`) and
 * what it returns (`HttpResponse`).
 */
import type { Writable } from 'node:stream';

import type { IndexReader } from '../index/reader.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { Authenticator, Caller } from './authenticator.ts';
import type { QueryCache } from './query-cache.ts';
import type { RequestLimits } from './request-limits.ts';
import type { ResultVersions } from './result-versions.ts';
import type { WatchRegistry } from './watch-registry.ts';
import type { WatermarkWaiter } from './watermark-waiter.ts';

/** A response body that is written over time, such as a watch stream. */
export interface BodyStream {
  /** Starts writing the body to `sink`, once the server has sent the status and headers. */
  start(sink: Writable): void;
  /** Releases the stream without writing anything, as for a `HEAD` request. */
  cancel(): void;
}

/** A response produced by a handler, before the server adds the common headers. */
export interface HttpResponse {
  readonly status: number;
  readonly contentType: string;
  /** The whole body; ignored when `stream` is set. */
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** A body written over time, sent without `Content-Length` and with `Connection: close`. */
  readonly stream?: BodyStream;
  /**
   * Whether the request waited on the index (`minResourceVersion`, `waitForChange`, a watch).
   * Its duration then does not measure the cost of the query, so `queryDurationSeconds` leaves
   * it out.
   */
  readonly waited?: boolean;
}

/** The result of one `GET /v1/services` page or `GET /v1/facets` query as the cache stores it. */
export interface CachedQueryResult {
  /** Number of all matches. */
  readonly total: number;
  /**
   * The serialized `items` array of a page, or the serialized object of the facet maps, so that
   * a hit costs no serialization.
   */
  readonly json: string;
  /** The index's page key of the last item, present when more items follow the page. */
  readonly next?: string;
}

/**
 * The state that handlers read: the index, the cache, the result versions, the waits, the watch
 * streams, the authenticator and the signals passed to the server.
 */
export interface RouteContext {
  readonly index: IndexReader;
  /** Decides which namespaces the caller of a query request may read. */
  readonly authenticator: Authenticator;
  /** The endpoint's logger, for failures that become a `Status` response. */
  readonly logger: Logger;
  readonly cache: QueryCache<CachedQueryResult>;
  readonly resultVersions: ResultVersions;
  readonly watermarks: WatermarkWaiter;
  readonly watches: WatchRegistry;
  readonly readiness: () => { ready: boolean; reason?: string };
  readonly metrics: Metrics;
  /** The limits on parameters and values that the parsers apply. */
  readonly limits: RequestLimits;
}

/** The parts of a request that a handler reads. */
export interface RouteRequest {
  /** The raw (still percent-encoded) path segments that the route pattern captured. */
  readonly pathSegments: readonly string[];
  /** The query string without the leading `?`, still percent-encoded. */
  readonly rawQuery: string;
  /**
   * The authenticated user of a query route (`Route.isQuery`). The other routes are open, and
   * receive `ANONYMOUS_CALLER` without any check.
   */
  readonly caller: Caller;
  /** The key that per-client limits count this request under; see `clientKeyOf`. */
  readonly client: string;
  /**
   * Aborts when the client disconnects or the server shuts down, so that a waiting handler stops
   * waiting. The reason is `SHUTDOWN` when the server shuts down.
   */
  readonly signal: AbortSignal;
}

/** The `route` label of requests to a path that no route serves. */
export const UNMATCHED_ROUTE = 'unmatched';

/** The abort reason of `RouteRequest.signal` when the server shuts down. */
export const SHUTDOWN = 'shutdown';

/** The response header that carries the index watermark on the query routes. */
export const RESOURCE_VERSION_HEADER = 'X-Resource-Version';

/** The response header that carries the index staleness on the query routes. */
export const STALE_SECONDS_HEADER = 'X-Index-Stale-Seconds';

/** The response header that carries the result version of a query. */
export const RESULT_VERSION_HEADER = 'X-Result-Version';

/** One route: its pattern, used as the `route` label of metrics, and its handler. */
export interface Route {
  readonly pattern: string;
  /**
   * Whether the route reads the index: its requests are authenticated, and its responses carry
   * `X-Index-Stale-Seconds` and are timed in `queryDurationSeconds`.
   */
  readonly isQuery: boolean;
  handle(context: RouteContext, request: RouteRequest): HttpResponse | Promise<HttpResponse>;
}

/** The media type of JSON responses. */
export const JSON_CONTENT_TYPE = 'application/json';

/** The media type of the plain-text responses of `/healthz` and `/readyz`. */
export const TEXT_CONTENT_TYPE = 'text/plain; charset=utf-8';

/** Builds a JSON response from an already serialized body. */
export function json(status: number, body: string): HttpResponse {
  return { status, contentType: JSON_CONTENT_TYPE, body };
}

/** Builds a 200 plain-text response. */
export function text(body: string): HttpResponse {
  return { status: 200, contentType: TEXT_CONTENT_TYPE, body };
}
