/**
 * The routes of the query endpoint and their handlers. A handler returns an `HttpResponse` or
 * throws a `StatusError`. The server adds the common headers, writes the response and records
 * metrics, so handlers never touch Node's `http` objects.
 */
import { parseObjectRequest } from './consistency-parameters.ts';
import { OPENAPI_JSON } from './openapi.ts';
import { listFacets, listServices } from './query-handlers.ts';
import { decodePathSegment } from './query-parameters.ts';
import { checkNamespaces } from './request-access.ts';
import { WaitBudget, waitForRequiredVersions } from './request-waits.ts';
import { json, RESOURCE_VERSION_HEADER, text } from './route-types.ts';
import type { HttpResponse, Route, RouteContext, RouteRequest } from './route-types.ts';
import { toServiceItem } from './service-item.ts';
import { objectNotFound, serviceUnavailable } from './status.ts';

export {
  JSON_CONTENT_TYPE,
  RESOURCE_VERSION_HEADER,
  RESULT_VERSION_HEADER,
  SHUTDOWN,
  STALE_SECONDS_HEADER,
  TEXT_CONTENT_TYPE,
} from './route-types.ts';
export type {
  BodyStream,
  CachedQueryResult,
  HttpResponse,
  Route,
  RouteContext,
  RouteRequest,
} from './route-types.ts';

const SERVICES_PREFIX = '/v1/services/';

const listServicesRoute: Route = { pattern: '/v1/services', isQuery: true, handle: listServices };
const listFacetsRoute: Route = { pattern: '/v1/facets', isQuery: true, handle: listFacets };
const getServiceRoute: Route = {
  pattern: '/v1/services/{namespace}/{name}',
  isQuery: true,
  handle: getService,
};
const healthzRoute: Route = { pattern: '/healthz', isQuery: false, handle: () => text('ok') };
const readyzRoute: Route = { pattern: '/readyz', isQuery: false, handle: checkReadiness };
const openApiRoute: Route = {
  pattern: '/openapi.json',
  isQuery: false,
  handle: () => json(200, OPENAPI_JSON),
};

const EXACT_ROUTES: ReadonlyMap<string, Route> = new Map(
  [listServicesRoute, listFacetsRoute, healthzRoute, readyzRoute, openApiRoute].map((route) => [
    route.pattern,
    route,
  ]),
);

/** Every route pattern, for the message of a 404 on an unknown path. */
export const ROUTE_PATTERNS: readonly string[] = [
  listServicesRoute.pattern,
  getServiceRoute.pattern,
  listFacetsRoute.pattern,
  healthzRoute.pattern,
  readyzRoute.pattern,
  openApiRoute.pattern,
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

/**
 * Handles `GET /v1/services/{namespace}/{name}`: returns one object, or throws a 404, or a 403
 * when the caller may not list the namespace. With `minResourceVersion` it first waits until the
 * index has applied every event up to it.
 */
async function getService(context: RouteContext, request: RouteRequest): Promise<HttpResponse> {
  const [rawNamespace = '', rawName = ''] = request.pathSegments;
  const namespace = decodePathSegment(rawNamespace, 'namespace');
  const name = decodePathSegment(rawName, 'name');
  const parameters = parseObjectRequest(request.rawQuery, context.limits.maxParameters);
  const { authenticator, logger } = context;
  await checkNamespaces(authenticator, request.caller, [namespace], logger);
  const budget = new WaitBudget(parameters.timeoutMs);
  const waited = await waitForRequiredVersions(context, request.signal, parameters, budget);

  const watermark = context.index.watermark;
  const record = context.index.get(namespace, name);
  if (record === undefined) {
    throw objectNotFound(namespace, name);
  }

  const response = json(200, JSON.stringify(toServiceItem(record)));
  return { ...response, headers: { [RESOURCE_VERSION_HEADER]: watermark }, waited };
}

/** Handles `/readyz`: returns `ok` once the readiness signal is true, else throws a 503. */
function checkReadiness(context: RouteContext): HttpResponse {
  const { ready, reason } = context.readiness();
  if (!ready) {
    throw serviceUnavailable(reason ?? 'not ready');
  }

  return text('ok');
}
