/**
 * Parsing of the query string and path segments of a request into a `ServiceQuery`.
 *
 * The query string is decoded as `URLSearchParams` decodes it: `&` separates pairs, the first `=`
 * separates name and value, and `+` is a space. The one difference is that malformed
 * percent-encoding such as `%E0%A4%A` is rejected with a 400. URLSearchParams would replace it with
 * U+FFFD, and the client would get results for a value other than the one it sent. Each
 * occurrence of a parameter carries exactly one value, and a comma is an ordinary character of it.
 *
 * Every problem found becomes one cause of a single 400 response, so a client sees all of them at
 * once.
 */
import type { ServiceQuery } from '../query/model.ts';
import type { QueryError } from '../query/errors.ts';
import { badRequest, quoteValue, type StatusCause, type StatusError } from './status.ts';

/** The maximum length of one parameter value or path segment, in UTF-16 code units. */
export const MAX_VALUE_LENGTH = 253;

/** The maximum number of occurrences of one list parameter, such as `tag`, in a query. */
export const MAX_VALUES_PER_PARAMETER = 64;

/** The maximum length of the raw (still percent-encoded) query string, in characters. */
export const MAX_QUERY_STRING_LENGTH = 8192;

/** The maximum number of causes that one 400 response lists; the message counts the rest. */
export const MAX_REPORTED_CAUSES = 16;

/** The list parameters of `GET /v1/services`, each with the `ServiceQuery` field it fills. */
const LIST_PARAMETERS = {
  namespace: 'namespaces',
  service: 'services',
  environment: 'environments',
  region: 'regions',
  tag: 'tags',
} as const;

type ListParameter = keyof typeof LIST_PARAMETERS;

/** The maximum number of values of each parameter that `GET /v1/services` accepts. */
const SERVICE_QUERY_LIMITS: Readonly<Record<string, number>> = {
  environment: MAX_VALUES_PER_PARAMETER,
  namespace: MAX_VALUES_PER_PARAMETER,
  region: MAX_VALUES_PER_PARAMETER,
  service: MAX_VALUES_PER_PARAMETER,
  tag: MAX_VALUES_PER_PARAMETER,
  version: 1,
};

/** The names of the query parameters of `GET /v1/services`, in ascending order. */
export const SERVICE_QUERY_PARAMETERS: readonly string[] = Object.keys(SERVICE_QUERY_LIMITS).sort();

/**
 * Reads the query string of `GET /v1/services` into a normalized `ServiceQuery`: each list is
 * sorted in code-unit order and free of duplicates, so that equivalent queries compare equal.
 *
 * @param rawQuery - The query string without the leading `?`, still percent-encoded.
 * @throws StatusError 400 for an unknown parameter, malformed percent-encoding, an empty value,
 *   a value over `MAX_VALUE_LENGTH`, more values than `MAX_VALUES_PER_PARAMETER` (one for
 *   `version`) or a query string over `MAX_QUERY_STRING_LENGTH`. The version range itself is not
 *   checked here; the index throws a `QueryError` for an invalid one.
 */
export function parseServiceQuery(rawQuery: string): ServiceQuery {
  const parameters = parseParameters(rawQuery, SERVICE_QUERY_LIMITS);

  const list = (name: ListParameter): string[] => normalizeValues(parameters.get(name) ?? []);
  const version = parameters.get('version')?.[0];

  return {
    namespaces: list('namespace'),
    services: list('service'),
    environments: list('environment'),
    regions: list('region'),
    tags: list('tag'),
    ...(version === undefined ? {} : { version }),
  };
}

/**
 * Decodes a query string and checks it against `limits`, which maps each accepted parameter name
 * to its maximum number of values. Returns the values of each parameter in request order.
 *
 * @throws StatusError 400 listing every problem; see `parseServiceQuery`.
 */
export function parseParameters(
  rawQuery: string,
  limits: Readonly<Record<string, number>>,
): Map<string, string[]> {
  if (rawQuery.length > MAX_QUERY_STRING_LENGTH) {
    const message =
      `query string is ${rawQuery.length} characters long; ` +
      `the maximum is ${MAX_QUERY_STRING_LENGTH}`;
    throw badRequest(message, [{ reason: 'FieldValueTooLong', field: 'query', message }]);
  }

  const causes: StatusCause[] = [];
  const parameters = decodeQueryString(rawQuery, causes);

  for (const [name, values] of parameters) {
    const maxValues = Object.hasOwn(limits, name) ? limits[name] : undefined;
    if (maxValues === undefined) {
      causes.push(unknownParameterCause(name, Object.keys(limits).sort()));
      continue;
    }

    checkValues(`query parameter ${quoteValue(name)}`, name, values, maxValues, causes);
  }

  if (causes.length > 0) {
    throw invalidRequest(causes);
  }

  return parameters;
}

/**
 * Decodes one path segment, such as the namespace of `/v1/services/{namespace}/{name}`.
 *
 * @param field - The name of the segment, used in the error.
 * @throws StatusError 400 for malformed percent-encoding or a segment over `MAX_VALUE_LENGTH`.
 */
export function decodePathSegment(raw: string, field: string): string {
  const causes: StatusCause[] = [];
  const value = decodeComponent(raw, causes, `path segment ${field}`, field, false);
  if (value !== undefined) {
    checkValues(`path segment ${field}`, field, [value], 1, causes);
  }

  if (causes.length > 0 || value === undefined) {
    throw invalidRequest(causes);
  }

  return value;
}

/** Maps a `QueryError` from the query layer to a 400 whose cause names the query parameter. */
export function queryErrorToStatus(error: QueryError): StatusError {
  const field = parameterOfField(error.field);
  return badRequest(error.message, [
    { reason: 'FieldValueInvalid', field, message: error.message },
  ]);
}

/**
 * Returns the cache key of a normalized query. Two queries get the same key exactly when their
 * value lists and version range are equal.
 */
export function serviceQueryCacheKey(query: ServiceQuery): string {
  return JSON.stringify([
    query.namespaces,
    query.services,
    query.environments,
    query.regions,
    query.tags,
    query.version ?? null,
  ]);
}

/** Splits and decodes the pairs of a query string, grouping values by parameter name. */
function decodeQueryString(rawQuery: string, causes: StatusCause[]): Map<string, string[]> {
  const parameters = new Map<string, string[]>();

  for (const pair of rawQuery.split('&')) {
    // URLSearchParams skips empty pairs too, as in `?a=1&&b=2` or a trailing `&`.
    if (pair === '') {
      continue;
    }

    const separator = pair.indexOf('=');
    const rawName = separator === -1 ? pair : pair.slice(0, separator);
    const rawValue = separator === -1 ? '' : pair.slice(separator + 1);

    const name = decodeComponent(rawName, causes, 'query parameter name', 'query', true);
    if (name === undefined) {
      continue;
    }

    const label = `query parameter ${quoteValue(name)}`;
    const value = decodeComponent(rawValue, causes, label, name, true);
    if (value === undefined) {
      continue;
    }

    const values = parameters.get(name);
    if (values === undefined) {
      parameters.set(name, [value]);
    } else {
      values.push(value);
    }
  }

  return parameters;
}

/**
 * Decodes one component, or records a cause and returns undefined when it is malformed. `+` means
 * a space only in a query string (form encoding); in a path it is a literal `+`.
 */
function decodeComponent(
  raw: string,
  causes: StatusCause[],
  label: string,
  field: string,
  plusIsSpace: boolean,
): string | undefined {
  try {
    return decodeURIComponent(plusIsSpace ? raw.replaceAll('+', ' ') : raw);
  } catch {
    // decodeURIComponent throws only URIError, for a `%` not followed by two hex digits or for
    // bytes that are not valid UTF-8.
    const message = `${label} has invalid percent-encoding in ${quoteValue(raw)}`;
    causes.push({ reason: 'FieldValueInvalid', field, message });
    return undefined;
  }
}

/**
 * Checks the number, emptiness and length of the values of one parameter or path segment.
 * `label` names it in messages and `name` is the cause's field.
 */
function checkValues(
  label: string,
  name: string,
  values: readonly string[],
  maxValues: number,
  causes: StatusCause[],
): void {
  if (values.length > maxValues) {
    const message = `${label} is given ${values.length} times; the maximum is ${maxValues}`;
    causes.push({ reason: 'FieldValueTooMany', field: name, message });
    return;
  }

  for (const value of values) {
    if (value === '') {
      const message = `${label} has an empty value; give a value or omit the parameter`;
      causes.push({ reason: 'FieldValueRequired', field: name, message });
    } else if (value.length > MAX_VALUE_LENGTH) {
      const message =
        `${label} has a value of ${value.length} characters, ${quoteValue(value)}; ` +
        `the maximum is ${MAX_VALUE_LENGTH}`;
      causes.push({ reason: 'FieldValueTooLong', field: name, message });
    }
  }
}

/** Builds the cause for a parameter that the route does not accept. */
function unknownParameterCause(name: string, known: readonly string[]): StatusCause {
  const accepted =
    known.length === 0
      ? 'this route takes no query parameters'
      : `known parameters are ${known.join(', ')}`;
  const message = `unknown query parameter ${quoteValue(name)}; ${accepted}`;
  return { reason: 'FieldValueNotSupported', field: name, message };
}

/** Builds one 400 from all causes, listing at most `MAX_REPORTED_CAUSES` of them. */
function invalidRequest(causes: readonly StatusCause[]): StatusError {
  const reported = causes.slice(0, MAX_REPORTED_CAUSES);
  const omitted = causes.length - reported.length;
  const suffix = omitted > 0 ? `; and ${omitted} more problems` : '';
  const message = reported.map((cause) => cause.message).join('; ') + suffix;
  return badRequest(message, reported);
}

/** Sorts values in code-unit order and drops duplicates. */
function normalizeValues(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}

/** Maps a `ServiceQuery` field name, such as `tags`, to its query parameter, such as `tag`. */
function parameterOfField(field: string): string {
  for (const [parameter, queryField] of Object.entries(LIST_PARAMETERS)) {
    if (queryField === field) {
      return parameter;
    }
  }

  return field;
}
