/**
 * The query parameters of `GET /v1/services` and `GET /v1/facets`, read into a normalized
 * `ServiceQuery` and the page, explain, watch and waiting options.
 *
 * Each occurrence of a list parameter carries one value, and a comma is an ordinary character of
 * it. Lists are sorted in code-unit order and freed of duplicates, so equivalent query strings
 * give equal queries, cache keys and fingerprints. Every value that breaks a rule becomes one
 * cause of a single 400 response, together with an invalid version range or selector.
 */
import { compileQuery } from '../query/matcher.ts';
import type { ServiceQuery } from '../query/model.ts';
import { QueryError } from '../query/errors.ts';
import { readConsistency, type ConsistencyRequest } from './consistency-parameters.ts';
import { decodeContinueToken, queryFingerprint } from './continue-token.ts';
import type { ContinueToken } from './continue-token.ts';
import { invalidRequest, invalidValue, parseParameters } from './query-parameters.ts';
import { DEFAULT_REQUEST_LIMITS, type RequestLimits } from './request-limits.ts';
import type { StatusCause } from './status.ts';

export { MAX_TIMEOUT_MS } from './consistency-parameters.ts';

/** Number of items on a page of `GET /v1/services` when `limit` is not given. */
export const DEFAULT_LIMIT = 500;

/** The maximum of `limit`. */
export const MAX_LIMIT = 5000;

/** The maximum length of a `continue` token, in characters. */
export const MAX_CONTINUE_LENGTH = 2048;

/** The list parameters, each with the `ServiceQuery` field that it fills. */
const LIST_FIELDS = {
  namespace: 'namespaces',
  service: 'services',
  tag: 'tags.all',
  anyTag: 'tags.any',
  notTag: 'tags.none',
  environment: 'environments.in',
  notEnvironment: 'environments.notIn',
  region: 'regions.in',
  notRegion: 'regions.notIn',
} as const;

type ListParameter = keyof typeof LIST_FIELDS;

const SINGLE = [
  'version',
  'includePrerelease',
  'selector',
  'timeout',
  'minResourceVersion',
  'waitForChange',
] as const;
const PAGE_SINGLE = ['sort', 'limit', 'continue', 'explain', 'watch'] as const;

/** The parameters that a watch does not take, because it streams every match from now on. */
const NOT_WITH_WATCH = ['limit', 'continue', 'explain', 'waitForChange'] as const;

/** Returns the maximum number of values of each filter parameter, shared by both routes. */
function filterLimits(limits: RequestLimits): Record<string, number> {
  return Object.fromEntries([
    ...Object.keys(LIST_FIELDS).map((name) => [name, limits.maxValuesPerParameter] as const),
    ...SINGLE.map((name) => [name, 1] as const),
  ]);
}

/** Returns the maximum number of values of each parameter of `GET /v1/services`. */
function listLimits(limits: RequestLimits): Record<string, number> {
  return {
    ...filterLimits(limits),
    ...Object.fromEntries(PAGE_SINGLE.map((name) => [name, 1])),
  };
}

function maxLengths(limits: RequestLimits): Record<string, number> {
  return { selector: limits.maxSelectorLength, continue: MAX_CONTINUE_LENGTH };
}

/** The names of the query parameters of `GET /v1/services`, in ascending order. */
export const SERVICE_QUERY_PARAMETERS: readonly string[] = Object.keys(
  listLimits(DEFAULT_REQUEST_LIMITS),
).sort();

/** The names of the query parameters of `GET /v1/facets`, in ascending order. */
export const FACETS_PARAMETERS: readonly string[] = Object.keys(
  filterLimits(DEFAULT_REQUEST_LIMITS),
).sort();

/**
 * The query parameter behind each `QueryError` field that is not itself a parameter name, for
 * `queryErrorToStatus`.
 */
export const QUERY_ERROR_PARAMETERS: Readonly<Record<string, string>> = {
  namespaces: 'namespace',
  services: 'service',
  tags: 'tag',
  environments: 'environment',
  regions: 'region',
};

/** A `GET /v1/services` request after its parameters were read. */
export interface ListRequest extends ConsistencyRequest {
  readonly query: ServiceQuery;
  /** Maximum number of items; `DEFAULT_LIMIT` when not given. */
  readonly limit: number;
  /** The decoded `continue` token, already checked against the query. */
  readonly continueToken?: ContinueToken;
  /** Whether to return the plan instead of the items. */
  readonly explain: boolean;
  /** Whether to stream the matches and their changes instead of returning a page. */
  readonly watch: boolean;
}

/** A `GET /v1/facets` request after its parameters were read. */
export interface FacetsRequest extends ConsistencyRequest {
  readonly query: ServiceQuery;
}

/**
 * Reads the query string of `GET /v1/services`.
 *
 * @param rawQuery - The query string without the leading `?`, still percent-encoded.
 * @param limits - The limits on parameters and values. Default: `DEFAULT_REQUEST_LIMITS`.
 * @throws StatusError 400 naming every invalid parameter, its value and the rule it breaks.
 */
export function parseListRequest(
  rawQuery: string,
  limits: RequestLimits = DEFAULT_REQUEST_LIMITS,
): ListRequest {
  const parameters = parseParameters(
    rawQuery,
    listLimits(limits),
    maxLengths(limits),
    limits.maxParameters,
  );
  const causes: StatusCause[] = [];

  const query = readQuery(parameters, causes);
  const limit = readLimit(parameters.get('limit')?.[0], causes);
  const explain = readBoolean(parameters, 'explain', causes);
  const watch = readBoolean(parameters, 'watch', causes);
  const consistency = readConsistency(parameters, causes);
  const rawToken = parameters.get('continue')?.[0];
  const continueToken = rawToken === undefined ? undefined : readContinue(rawToken, query, causes);

  if (watch) {
    checkWatchConflicts(parameters, causes);
  }

  if (causes.length > 0) {
    throw invalidRequest(causes);
  }

  return {
    query,
    limit,
    explain,
    watch,
    ...(continueToken === undefined ? {} : { continueToken }),
    ...consistency,
  };
}

/**
 * Reads the query string of `GET /v1/facets`: the filter parameters of `GET /v1/services`, and
 * `timeout`, `minResourceVersion` and `waitForChange`.
 *
 * @param limits - The limits on parameters and values. Default: `DEFAULT_REQUEST_LIMITS`.
 * @throws StatusError 400 naming every invalid parameter, its value and the rule it breaks.
 */
export function parseFacetsRequest(
  rawQuery: string,
  limits: RequestLimits = DEFAULT_REQUEST_LIMITS,
): FacetsRequest {
  const parameters = parseParameters(
    rawQuery,
    filterLimits(limits),
    maxLengths(limits),
    limits.maxParameters,
  );
  const causes: StatusCause[] = [];

  const query = readQuery(parameters, causes);
  const consistency = readConsistency(parameters, causes);

  if (causes.length > 0) {
    throw invalidRequest(causes);
  }

  return { query, ...consistency };
}

/**
 * Returns the key of a normalized query, sort included. Two queries get the same key exactly when
 * every list, the range, `includePrerelease`, the selector text and the sort are equal.
 */
export function serviceQueryCacheKey(query: ServiceQuery): string {
  return JSON.stringify([
    query.namespaces,
    query.services,
    query.tags.all,
    query.tags.any,
    query.tags.none,
    query.environments.in,
    query.environments.notIn,
    query.regions.in,
    query.regions.notIn,
    query.version ?? null,
    query.includePrerelease,
    query.selector ?? null,
    query.sort,
  ]);
}

/** Reads the filters and the sort, and checks the range and the selector. */
function readQuery(parameters: ReadonlyMap<string, string[]>, causes: StatusCause[]): ServiceQuery {
  const list = (name: ListParameter): string[] => [...new Set(parameters.get(name) ?? [])].sort();
  const version = parameters.get('version')?.[0];
  const selector = parameters.get('selector')?.[0];

  const query: ServiceQuery = {
    namespaces: list('namespace'),
    services: list('service'),
    tags: { all: list('tag'), any: list('anyTag'), none: list('notTag') },
    environments: { in: list('environment'), notIn: list('notEnvironment') },
    regions: { in: list('region'), notIn: list('notRegion') },
    includePrerelease: readBoolean(parameters, 'includePrerelease', causes),
    sort: readSort(parameters.get('sort')?.[0], causes),
    ...(version === undefined ? {} : { version }),
    ...(selector === undefined ? {} : { selector }),
  };

  checkNamespaceNames(query.namespaces, causes);
  checkCompiles(query, causes);
  return query;
}

const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * Adds a cause for each `namespace` value that is no namespace name (a DNS-1123 label), because
 * such a value matches nothing and would otherwise cost an access review when callers are checked.
 */
function checkNamespaceNames(namespaces: readonly string[], causes: StatusCause[]): void {
  for (const namespace of namespaces) {
    if (!NAMESPACE_NAME.test(namespace)) {
      causes.push({
        reason: 'FieldValueInvalid',
        field: 'namespace',
        message:
          `invalid namespace ${JSON.stringify(namespace)}: must be a DNS-1123 label, at most 63 ` +
          "lowercase letters, digits and '-', starting and ending with a letter or digit",
      });
    }
  }
}

/** Adds a cause for an invalid version range or selector; both are reported when both fail. */
function checkCompiles(query: ServiceQuery, causes: StatusCause[]): void {
  const parts: ServiceQuery[] = [];
  if (query.version !== undefined) {
    parts.push({ ...query, selector: undefined });
  }

  if (query.selector !== undefined) {
    parts.push({ ...query, version: undefined });
  }

  for (const part of parts) {
    try {
      compileQuery(part);
    } catch (error) {
      if (!(error instanceof QueryError)) {
        throw error;
      }

      causes.push({ reason: 'FieldValueInvalid', field: error.field, message: error.message });
    }
  }
}

function readBoolean(
  parameters: ReadonlyMap<string, string[]>,
  name: string,
  causes: StatusCause[],
): boolean {
  const value = parameters.get(name)?.[0];
  if (value === undefined || value === 'false') {
    return false;
  }

  if (value !== 'true') {
    causes.push(invalidValue(name, value, 'it must be true or false', 'FieldValueNotSupported'));
  }

  return value === 'true';
}

function readSort(value: string | undefined, causes: StatusCause[]): ServiceQuery['sort'] {
  if (value === undefined || value === 'name' || value === 'version') {
    return value ?? 'name';
  }

  causes.push(
    invalidValue('sort', value, 'supported values are name, version', 'FieldValueNotSupported'),
  );
  return 'name';
}

function readLimit(value: string | undefined, causes: StatusCause[]): number {
  if (value === undefined) {
    return DEFAULT_LIMIT;
  }

  const limit = /^[0-9]{1,9}$/.test(value) ? Number(value) : Number.NaN;
  if (!(limit >= 1 && limit <= MAX_LIMIT)) {
    causes.push(invalidValue('limit', value, `it must be an integer from 1 to ${MAX_LIMIT}`));
    return DEFAULT_LIMIT;
  }

  return limit;
}

/** Adds a cause for each parameter sent together with `watch=true` that a watch cannot honour. */
function checkWatchConflicts(
  parameters: ReadonlyMap<string, string[]>,
  causes: StatusCause[],
): void {
  for (const name of NOT_WITH_WATCH) {
    if (parameters.has(name) && !(name === 'explain' && parameters.get(name)?.[0] === 'false')) {
      const rule = `a watch streams every match and cannot be combined with ${name}`;
      causes.push(invalidValue('watch', 'true', rule));
    }
  }
}

function readContinue(
  value: string,
  query: ServiceQuery,
  causes: StatusCause[],
): ContinueToken | undefined {
  const token = decodeContinueToken(value);
  if (token === undefined) {
    const rule = 'it is not a continue token returned by GET /v1/services; pass it unchanged';
    causes.push(invalidValue('continue', value, rule));
    return undefined;
  }

  if (token.fingerprint !== queryFingerprint(serviceQueryCacheKey(query))) {
    const rule =
      'the token was returned for a different query or sort; send the same filters and sort ' +
      'as the first request, or start again without continue';
    causes.push(invalidValue('continue', value, rule));
    return undefined;
  }

  return token;
}
