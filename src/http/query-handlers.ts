/**
 * The handlers of the two query routes that evaluate a query: `GET /v1/services` (a page of
 * matches, or the plan with `explain=true`) and `GET /v1/facets` (counts per value).
 *
 * Reading the revision and the watermark, and running the query, happen in one synchronous step,
 * so no watch event can be applied between them. The watermark is not part of a cached value: a
 * bookmark can advance it without changing any record, and every response reports the current one.
 */
import type { IndexReader, QueryPage } from '../index/reader.ts';
import { QueryError } from '../query/errors.ts';
import type { ServiceQuery } from '../query/model.ts';
import { encodeContinueToken, queryFingerprint } from './continue-token.ts';
import { queryErrorToStatus } from './query-parameters.ts';
import { json } from './route-types.ts';
import type { CachedQueryResult, HttpResponse, RouteContext, RouteRequest } from './route-types.ts';
import {
  parseFacetsRequest,
  parseListRequest,
  QUERY_ERROR_PARAMETERS,
  serviceQueryCacheKey,
} from './service-query-parameters.ts';
import type { ListRequest } from './service-query-parameters.ts';
import { toServiceItem } from './service-item.ts';

/**
 * Handles `GET /v1/services`: returns one page of matches, from the cache when still valid, with
 * a `continue` token when more follow. With `explain=true` it returns the plan of the query instead.
 */
export function listServices(context: RouteContext, request: RouteRequest): HttpResponse {
  // NOTE: `timeout` is parsed and validated, but a query runs synchronously to its end, so
  // nothing waits on it yet.
  const list = parseListRequest(request.rawQuery);
  const { index, cache } = context;
  const revision = index.revision;
  const watermark = index.watermark;

  if (list.explain) {
    return explainQuery(index, list.query, watermark);
  }

  const queryKey = serviceQueryCacheKey(list.query);
  const page: QueryPage = { limit: list.limit, after: list.continueToken?.after };
  const cacheKey = JSON.stringify(['services', queryKey, page.after ?? null, page.limit]);
  const result = cache.resolve(cacheKey, revision, () => runPage(index, list.query, page));

  let body =
    `{"resourceVersion":${JSON.stringify(watermark)},` +
    `"total":${result.total},"items":${result.json}`;
  if (result.next !== undefined) {
    body += `,"continue":${JSON.stringify(continueToken(list, result.next, queryKey, watermark))}`;
  }

  return json(200, `${body}}`);
}

/** Handles `GET /v1/facets`: counts the matches per tag, environment, region and major version. */
export function listFacets(context: RouteContext, request: RouteRequest): HttpResponse {
  const { query } = parseFacetsRequest(request.rawQuery);
  const { index, cache } = context;
  const revision = index.revision;
  const watermark = index.watermark;

  const cacheKey = JSON.stringify(['facets', serviceQueryCacheKey(query)]);
  const result = cache.resolve(cacheKey, revision, () =>
    runIndex(() => {
      const { total, tags, environments, regions, majorVersions } = index.facets(query);
      return { total, json: JSON.stringify({ tags, environments, regions, majorVersions }) };
    }),
  );

  // `result.json` is the object of the four facet maps; its members follow resourceVersion and
  // total.
  const head = `{"resourceVersion":${JSON.stringify(watermark)},"total":${result.total}`;
  return json(200, `${head},${result.json.slice(1)}`);
}

function explainQuery(index: IndexReader, query: ServiceQuery, watermark: string): HttpResponse {
  const explanation = runIndex(() => index.explain(query));
  const body = {
    resourceVersion: watermark,
    total: explanation.total,
    plan: { steps: explanation.steps },
  };
  return json(200, JSON.stringify(body));
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
