/**
 * The handlers of the two query routes that evaluate a query: `GET /v1/services` (a page of
 * matches, the plan with `explain=true`, or a stream with `watch=true`) and `GET /v1/facets`
 * (counts per value).
 *
 * A handler narrows the query to the namespaces that the caller may list (see
 * `request-access.ts`) and waits when the request sets a wait parameter: for `minResourceVersion`
 * or the resourceVersion of its `continue` token, then for `waitForChange`. After the waits,
 * reading the watermark and the result version and running the query happen in one synchronous
 * step, so no watch event can be applied between them. The watermark is not part of a cached
 * value: a bookmark can advance it without changing any record, and every response reports the
 * current one.
 */
import type { IndexReader, QueryPage } from '../index/reader.ts';
import { QueryError } from '../query/errors.ts';
import type { ServiceQuery } from '../query/model.ts';
import { encodeContinueToken, queryFingerprint } from './continue-token.ts';
import { queryErrorToStatus } from './query-parameters.ts';
import { scopeQuery } from './request-access.ts';
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
  const { query, waited } = await prepareQuery(context, request, list, list.query, budget);

  if (list.watch) {
    return openWatch(context, list, query, budget, request.client);
  }

  const response = list.explain ? explainQuery(context, query) : servicesPage(context, list, query);
  return waited ? { ...response, waited } : response;
}

/** Handles `GET /v1/facets`: counts the matches per tag, environment, region and major version. */
export async function listFacets(
  context: RouteContext,
  request: RouteRequest,
): Promise<HttpResponse> {
  const facets = parseFacetsRequest(request.rawQuery, context.limits);
  const budget = new WaitBudget(facets.timeoutMs);
  const { query, waited } = await prepareQuery(context, request, facets, facets.query, budget);

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
 * Narrows the query to the namespaces that the caller may list and runs the waits that the
 * request sets: first `minResourceVersion` and the `continue` token's resourceVersion, then
 * `waitForChange`. Returns the narrowed query, and whether the request waited.
 *
 * Namespaces named by the request are checked before any wait, so a denied request fails at
 * once. Otherwise the index's namespaces are read after the wait for a resourceVersion, so that
 * a namespace created by the awaited write is included. `waitForChange` waits on the narrowed
 * query, so changes in namespaces that the caller may not list never wake it.
 */
async function prepareQuery(
  context: RouteContext,
  request: RouteRequest,
  required: RequiredVersions & { readonly waitForChange?: bigint },
  requested: ServiceQuery,
  budget: WaitBudget,
): Promise<{ query: ServiceQuery; waited: boolean }> {
  const scope = (): Promise<ServiceQuery> =>
    scopeQuery(
      context.authenticator,
      request.caller,
      requested,
      () => context.index.namespaces(),
      context.logger,
    );
  const named = requested.namespaces.length > 0 ? await scope() : undefined;
  const waited = await waitForRequiredVersions(context, request.signal, required, budget);
  const query = named ?? (await scope());
  if (required.waitForChange === undefined) {
    return { query, waited };
  }

  await waitForResultChange(context, request.signal, query, required.waitForChange, budget);
  return { query, waited: true };
}

/**
 * Returns one page of the matches of `query`, the request's query narrowed to the caller's
 * namespaces, with the current watermark and result version. The `continue` token fingerprints
 * the request's own query, so that a page walk survives a change of the caller's namespaces.
 */
function servicesPage(context: RouteContext, list: ListRequest, query: ServiceQuery): HttpResponse {
  const { index, cache } = context;
  const watermark = index.watermark;
  const queryKey = serviceQueryCacheKey(list.query);
  const page: QueryPage = { limit: list.limit, after: list.continueToken?.after };
  const scopedKey = serviceQueryCacheKey(query);
  const cacheKey = JSON.stringify(['services', scopedKey, page.after ?? null, page.limit]);
  const result = cache.resolve(cacheKey, query, () => runPage(index, query, page));

  let body =
    `{"resourceVersion":${JSON.stringify(watermark)},` +
    `"total":${result.total},"items":${result.json}`;
  if (result.next !== undefined) {
    body += `,"continue":${JSON.stringify(continueToken(list, result.next, queryKey, watermark))}`;
  }

  return withVersions(context, query, json(200, `${body}}`));
}

/**
 * Opens a watch stream of `query`, already narrowed to the caller's namespaces, so the set of
 * namespaces that the stream reports is fixed when it opens. The server starts the stream once
 * the head of the response is sent.
 */
function openWatch(
  context: RouteContext,
  list: ListRequest,
  query: ServiceQuery,
  budget: WaitBudget,
  client: string,
): HttpResponse {
  // With an explicit `timeout` the stream ends when the budget does; without one it stays open.
  const timeoutMs = list.timeoutMs === undefined ? undefined : Math.max(1, budget.remainingMs());
  const stream = context.watches.open(query, client, timeoutMs);

  return {
    status: 200,
    contentType: WATCH_CONTENT_TYPE,
    body: '',
    headers: {
      [RESOURCE_VERSION_HEADER]: stream.resourceVersion,
      [RESULT_VERSION_HEADER]: context.resultVersions.versionOf(query),
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
