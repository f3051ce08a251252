/**
 * The routes of the query endpoint and their handlers. A handler returns an `HttpResponse` or
 * throws a `StatusError`. The server adds the common headers, writes the response and records
 * metrics, so handlers never touch Node's `http` objects.
 */
import type { IndexReader } from '../index/reader.ts';
import type { MetadataRecord } from '../index/record.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { ServiceQuery } from '../query/model.ts';
import { QueryError } from '../query/errors.ts';
import type { QueryCache } from './query-cache.ts';
import {
  decodePathSegment,
  parseParameters,
  parseServiceQuery,
  queryErrorToStatus,
  serviceQueryCacheKey,
} from './query-parameters.ts';
import { serializeItems, toServiceItem } from './service-item.ts';
import { objectNotFound, serviceUnavailable } from './status.ts';

/** A response produced by a handler, before the server adds the common headers. */
export interface HttpResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** The result of one `GET /v1/services` query as the cache stores it. */
export interface CachedQueryResult {
  readonly total: number;
  /** The `items` array, already serialized, so that a hit costs no serialization. */
  readonly itemsJson: string;
}

/** The state that handlers read: the index, the cache and the signals passed to the server. */
export interface RouteContext {
  readonly index: IndexReader;
  readonly cache: QueryCache<CachedQueryResult>;
  readonly readiness: () => { ready: boolean; reason?: string };
  readonly metrics: Metrics;
}

/** The parts of a request that a handler reads. */
export interface RouteRequest {
  /** The raw (still percent-encoded) path segments that the route pattern captured. */
  readonly pathSegments: readonly string[];
  /** The query string without the leading `?`, still percent-encoded. */
  readonly rawQuery: string;
}

/** One route: its pattern, used as the `route` label of metrics, and its handler. */
export interface Route {
  readonly pattern: string;
  /** Whether responses carry `X-Index-Stale-Seconds` and are timed in `queryDurationSeconds`. */
  readonly isQuery: boolean;
  handle(context: RouteContext, request: RouteRequest): HttpResponse | Promise<HttpResponse>;
}

/** The media type of JSON responses. */
export const JSON_CONTENT_TYPE = 'application/json';

/** The media type of the plain-text responses of `/healthz` and `/readyz`. */
export const TEXT_CONTENT_TYPE = 'text/plain; charset=utf-8';

const SERVICES_PREFIX = '/v1/services/';

const listServicesRoute: Route = { pattern: '/v1/services', isQuery: true, handle: listServices };
const getServiceRoute: Route = {
  pattern: '/v1/services/{namespace}/{name}',
  isQuery: true,
  handle: getService,
};
const healthzRoute: Route = { pattern: '/healthz', isQuery: false, handle: () => text('ok') };
const readyzRoute: Route = { pattern: '/readyz', isQuery: false, handle: checkReadiness };
const metricsRoute: Route = { pattern: '/metrics', isQuery: false, handle: exportMetrics };

const EXACT_ROUTES: ReadonlyMap<string, Route> = new Map(
  [listServicesRoute, healthzRoute, readyzRoute, metricsRoute].map((route) => [
    route.pattern,
    route,
  ]),
);

/** Every route pattern, for the message of a 404 on an unknown path. */
export const ROUTE_PATTERNS: readonly string[] = [
  listServicesRoute.pattern,
  getServiceRoute.pattern,
  healthzRoute.pattern,
  readyzRoute.pattern,
  metricsRoute.pattern,
];

/**
 * Finds the route of a path (without the query string) and the raw segments that its pattern
 * captures. Returns undefined for a path that no route serves, including one with an empty
 * segment or a trailing slash.
 */
export function matchRoute(path: string): { route: Route; pathSegments: string[] } | undefined {
  const exact = EXACT_ROUTES.get(path);
  if (exact !== undefined) {
    return { route: exact, pathSegments: [] };
  }

  if (!path.startsWith(SERVICES_PREFIX)) {
    return undefined;
  }

  const segments = path.slice(SERVICES_PREFIX.length).split('/');
  if (segments.length !== 2 || segments.some((segment) => segment === '')) {
    return undefined;
  }

  return { route: getServiceRoute, pathSegments: segments };
}

/** Handles `GET /v1/services`: returns every matching object, from the cache when still valid. */
function listServices(context: RouteContext, request: RouteRequest): HttpResponse {
  const query = parseServiceQuery(request.rawQuery);
  const { index, cache } = context;

  // Reading the revision and the watermark, and running the query, happen in one synchronous
  // step, so no watch event can be applied between them.
  const revision = index.revision;
  const watermark = index.watermark;
  const result = cache.resolve(serviceQueryCacheKey(query), revision, () => runQuery(index, query));

  // The watermark is not part of the cached value: a bookmark can advance it without changing any
  // record, and the response reports the current one.
  const body =
    `{"resourceVersion":${JSON.stringify(watermark)},` +
    `"total":${result.total},"items":${result.itemsJson}}`;
  return json(200, body);
}

/** Runs a query against the index, turning an invalid version range into a 400. */
function runQuery(index: IndexReader, query: ServiceQuery): CachedQueryResult {
  let items: readonly MetadataRecord[];
  try {
    items = index.query(query).items;
  } catch (error) {
    if (error instanceof QueryError) {
      throw queryErrorToStatus(error);
    }

    throw error;
  }

  return { total: items.length, itemsJson: serializeItems(items) };
}

/** Handles `GET /v1/services/{namespace}/{name}`: returns one object, or throws a 404. */
function getService(context: RouteContext, request: RouteRequest): HttpResponse {
  const [rawNamespace = '', rawName = ''] = request.pathSegments;
  const namespace = decodePathSegment(rawNamespace, 'namespace');
  const name = decodePathSegment(rawName, 'name');
  parseParameters(request.rawQuery, {});

  const record = context.index.get(namespace, name);
  if (record === undefined) {
    throw objectNotFound(namespace, name);
  }

  return json(200, JSON.stringify(toServiceItem(record)));
}

/** Handles `/readyz`: returns `ok` once the readiness signal is true, else throws a 503. */
function checkReadiness(context: RouteContext): HttpResponse {
  const { ready, reason } = context.readiness();
  if (!ready) {
    throw serviceUnavailable(reason ?? 'not ready');
  }

  return text('ok');
}

/** Handles `/metrics`: returns the registry in the Prometheus text format. */
async function exportMetrics(context: RouteContext): Promise<HttpResponse> {
  const { registry } = context.metrics;
  return { status: 200, contentType: registry.contentType, body: await registry.metrics() };
}

function json(status: number, body: string): HttpResponse {
  return { status, contentType: JSON_CONTENT_TYPE, body };
}

function text(body: string): HttpResponse {
  return { status: 200, contentType: TEXT_CONTENT_TYPE, body };
}
