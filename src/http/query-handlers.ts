/**
 * The handlers of the two query routes that evaluate a query: `GET /v1/services` (a page of
 * matches, the plan with `explain=true`, or a stream with `watch=true`) and `GET /v1/facets`
 * (counts per value).
 *
 * A handler first waits when the request sets a wait parameter: for `minResourceVersion` or the
 * resourceVersion of its `continue` token, then for `waitForChange`. After the waits, reading
 * the watermark and the result version and running the query happen in one synchronous step, so
 * no watch event can be applied between them. The watermark is not part of a cached value: a
 * bookmark can advance it without changing any record, and every response reports the current one.
 */
import type { IndexReader, QueryPage } from '../index/reader.ts';
import { QueryError } from '../query/errors.ts';
import type { ServiceQuery } from '../query/model.ts';
import { encodeContinueToken, queryFingerprint } from './continue-token.ts';
import { queryErrorToStatus } from './query-parameters.ts';
import {
  WaitBudget,
  waitForRequiredVersions,
  waitForResultChange,
  type RequiredVersions,
} from './request-waits.ts';
import { json, RESOURCE_VERSION_HEADER, RESULT_VERSION_HEADER } from './route-types.ts';
import type { CachedQueryResult, HttpResponse, RouteContext, RouteRequest } from './route-types.ts';
import {
  parseFacetsRequest,
  parseListRequest,
  QUERY_ERROR_PARAMETERS,
  serviceQueryCacheKey,
} from './service-query-parameters.ts';
import type { ListRequest } from './service-query-parameters.ts';
import { toServiceItem } from './service-item.ts';

/** The media type of a watch stream: one JSON event per line. */
export const WATCH_CONTENT_TYPE = 'application/x-ndjson';

/**
 * Handles `GET /v1/services`: returns one page of matches, from the cache when still valid, with
 * a `continue` token when more follow. With `explain=true` it returns the plan of the query, and
 * with `watch=true` a stream of the matches and their changes.
 */
export async function listServices(
  context: RouteContext,
  request: RouteRequest,
): Promise<HttpResponse> {
  const list = parseListRequest(request.rawQuery, context.limits);
  const budget = new WaitBudget(list.timeoutMs);
  const waited = await waitBeforeQuery(context, request, list, list.query, budget);

  if (list.watch) {
    return openWatch(context, list, budget, request.caller);
  }

  const response = list.explain ? explainQuery(context, list.query) : servicesPage(context, list);
  return waited ? { ...response, waited } : response;
}

/** Handles `GET /v1/facets`: counts the matches per tag, environment, region and major version. */
export async function listFacets(
  context: RouteContext,
  request: RouteRequest,
): Promise<HttpResponse> {
  const facets = parseFacetsRequest(request.rawQuery, context.limits);
  const { query } = facets;
  const waited = await waitBeforeQuery(
    context,
    request,
    facets,
    query,
    new WaitBudget(facets.timeoutMs),
  );

  const { index, cache } = context;
  const watermark = index.watermark;
  const cacheKey = JSON.stringify(['facets', serviceQueryCacheKey(query)]);
  const result = cache.resolve(cacheKey, query, () =>
    runIndex(() => {
      const { total, tags, environments, regions, majorVersions } = index.facets(query);
      return { total, json: JSON.stringify({ tags, environments, regions, majorVersions }) };
    }),
  );

  // `result.json` is the object of the four facet maps; its members follow resourceVersion and
  // total.
  const head = `{"resourceVersion":${JSON.stringify(watermark)},"total":${result.total}`;
  const response = withVersions(context, query, json(200, `${head},${result.json.slice(1)}`));
  return waited ? { ...response, waited } : response;
}

/**
 * Runs the waits that a query request sets: first `minResourceVersion` and the `continue`
 * token's resourceVersion, then `waitForChange`. Returns true when the request waited.
 */
async function waitBeforeQuery(
  context: RouteContext,
  request: RouteRequest,
  required: RequiredVersions & { readonly waitForChange?: bigint },
  query: ServiceQuery,
  budget: WaitBudget,
): Promise<boolean> {
  const waited = await waitForRequiredVersions(context, request.signal, required, budget);
  if (required.waitForChange === undefined) {
    return waited;
  }

  await waitForResultChange(context, request.signal, query, required.waitForChange, budget);
  return true;
}

/** Returns one page of matches, with the current watermark and result version. */
function servicesPage(context: RouteContext, list: ListRequest): HttpResponse {
  const { index, cache } = context;
  const watermark = index.watermark;
  const queryKey = serviceQueryCacheKey(list.query);
  const page: QueryPage = { limit: list.limit, after: list.continueToken?.after };
  const cacheKey = JSON.stringify(['services', queryKey, page.after ?? null, page.limit]);
  const result = cache.resolve(cacheKey, list.query, () => runPage(index, list.query, page));

  let body =
    `{"resourceVersion":${JSON.stringify(watermark)},` +
    `"total":${result.total},"items":${result.json}`;
  if (result.next !== undefined) {
    body += `,"continue":${JSON.stringify(continueToken(list, result.next, queryKey, watermark))}`;
  }

  return withVersions(context, list.query, json(200, `${body}}`));
}

/** Opens a watch stream; the server starts it once the head of the response is sent. */
function openWatch(
  context: RouteContext,
  list: ListRequest,
  budget: WaitBudget,
  caller: string,
): HttpResponse {
  // With an explicit `timeout` the stream ends when the budget does; without one it stays open.
  const timeoutMs = list.timeoutMs === undefined ? undefined : Math.max(1, budget.remainingMs());
  const stream = context.watches.open(list.query, caller, timeoutMs);

  return {
    status: 200,
    contentType: WATCH_CONTENT_TYPE,
    body: '',
    headers: {
      [RESOURCE_VERSION_HEADER]: stream.resourceVersion,
      [RESULT_VERSION_HEADER]: context.resultVersions.versionOf(list.query),
    },
    stream: { start: (sink) => stream.start(sink), cancel: () => stream.end('client') },
    waited: true,
  };
}

function explainQuery(context: RouteContext, query: ServiceQuery): HttpResponse {
  const watermark = context.index.watermark;
  const explanation = runIndex(() => context.index.explain(query));
  const body = {
    resourceVersion: watermark,
    total: explanation.total,
    plan: { steps: explanation.steps },
  };
  return withVersions(context, query, json(200, JSON.stringify(body)));
}

/** Adds `X-Resource-Version` (the watermark) and `X-Result-Version` to a query response. */
function withVersions(
  context: RouteContext,
  query: ServiceQuery,
  response: HttpResponse,
): HttpResponse {
  const headers = {
    [RESOURCE_VERSION_HEADER]: context.index.watermark,
    [RESULT_VERSION_HEADER]: context.resultVersions.versionOf(query),
  };
  return { ...response, headers: { ...response.headers, ...headers } };
}

/** Runs one page of a query and serializes its items in the query's sort order. */
function runPage(index: IndexReader, query: ServiceQuery, page: QueryPage): CachedQueryResult {
  const result = runIndex(() => index.query(query, page));
  const itemsJson = JSON.stringify(result.items.map(toServiceItem));
  return result.next === undefined
    ? { total: result.total, json: itemsJson }
    : { total: result.total, json: itemsJson, next: result.next };
}

/** Builds the token of the next page, which keeps the resourceVersion of the first page. */
function continueToken(
  list: ListRequest,
  next: string,
  queryKey: string,
  watermark: string,
): string {
  return encodeContinueToken({
    after: next,
    resourceVersion: list.continueToken?.resourceVersion ?? watermark,
    fingerprint: queryFingerprint(queryKey),
  });
}

/** Runs an index call, turning a `QueryError` (such as an invalid page key) into a 400. */
function runIndex<T>(call: () => T): T {
  try {
    return call();
  } catch (error) {
    if (error instanceof QueryError) {
      throw queryErrorToStatus(error, QUERY_ERROR_PARAMETERS);
    }

    throw error;
  }
}
