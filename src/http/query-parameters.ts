/**
 * Decoding of the query string and path segments of a request, and the checks that every route
 * shares: known parameter names, the number of values, empty and overlong values.
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
import type { QueryError } from '../query/errors.ts';
import { DEFAULT_MAX_PARAMETERS, DEFAULT_MAX_VALUES_PER_PARAMETER } from './request-limits.ts';
import { badRequest, quoteValue, type StatusCause, type StatusError } from './status.ts';

/** The maximum length of one parameter value or path segment, in UTF-16 code units. */
export const MAX_VALUE_LENGTH = 253;

/**
 * The default maximum number of occurrences of one list parameter, such as `tag`, in a query;
 * `RequestLimits.maxValuesPerParameter` sets the one that applies.
 */
export const MAX_VALUES_PER_PARAMETER = DEFAULT_MAX_VALUES_PER_PARAMETER;

/** The maximum number of causes that one 400 response lists; the message counts the rest. */
export const MAX_REPORTED_CAUSES = 16;

/**
 * Decodes a query string and checks it against `limits`, which maps each accepted parameter name
 * to its maximum number of values. Returns the values of each parameter in request order.
 *
 * @param maxLengths - The maximum length of a value of each parameter named here, in UTF-16 code
 *   units. Default for the others: `MAX_VALUE_LENGTH`.
 * @param maxParameters - The maximum number of `name=value` pairs, repeats included. Default:
 *   `DEFAULT_MAX_PARAMETERS`.
 * @throws StatusError 400 for more than `maxParameters` pairs, or else listing every problem: an
 *   unknown parameter, malformed percent-encoding, an empty value, a value over its maximum
 *   length, or more values than the parameter's limit.
 */
export function parseParameters(
  rawQuery: string,
  limits: Readonly<Record<string, number>>,
  maxLengths: Readonly<Record<string, number>> = {},
  maxParameters = DEFAULT_MAX_PARAMETERS,
): Map<string, string[]> {
  // URLSearchParams skips empty pairs too, as in `?a=1&&b=2` or a trailing `&`.
  const pairs = rawQuery.split('&').filter((pair) => pair !== '');
  if (pairs.length > maxParameters) {
    const message =
      `query string has ${pairs.length} parameters; the maximum is ${maxParameters}, ` +
      'repeated parameters included';
    throw badRequest(message, [{ reason: 'FieldValueTooMany', field: 'query', message }]);
  }

  const causes: StatusCause[] = [];
  const parameters = decodeQueryString(pairs, causes);

  for (const [name, values] of parameters) {
    const maxValues = Object.hasOwn(limits, name) ? limits[name] : undefined;
    if (maxValues === undefined) {
      causes.push(unknownParameterCause(name, Object.keys(limits).sort()));
      continue;
    }

    const maxLength = Object.hasOwn(maxLengths, name) ? maxLengths[name] : undefined;
    const label = `query parameter ${quoteValue(name)}`;
    checkValues(
      label,
      name,
      values,
      { maxValues, maxLength: maxLength ?? MAX_VALUE_LENGTH },
      causes,
    );
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
    const limits = { maxValues: 1, maxLength: MAX_VALUE_LENGTH };
    checkValues(`path segment ${field}`, field, [value], limits, causes);
  }

  if (causes.length > 0 || value === undefined) {
    throw invalidRequest(causes);
  }

  return value;
}

/**
 * Maps a `QueryError` from the query or index layer to a 400 whose cause names the query
 * parameter: the error's field, or the parameter that `parameters` maps it to (such as `tags` to
 * `tag`).
 */
export function queryErrorToStatus(
  error: QueryError,
  parameters: Readonly<Record<string, string>> = {},
): StatusError {
  const field = Object.hasOwn(parameters, error.field) ? parameters[error.field] : undefined;
  return badRequest(error.message, [
    { reason: 'FieldValueInvalid', field: field ?? error.field, message: error.message },
  ]);
}

/** Decodes the non-empty pairs of a query string, grouping values by parameter name. */
function decodeQueryString(pairs: readonly string[], causes: StatusCause[]): Map<string, string[]> {
  const parameters = new Map<string, string[]>();

  for (const pair of pairs) {
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
  { maxValues, maxLength }: { readonly maxValues: number; readonly maxLength: number },
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
    } else if (value.length > maxLength) {
      const message =
        `${label} has a value of ${value.length} characters, ${quoteValue(value)}; ` +
        `the maximum is ${maxLength}`;
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
export function invalidRequest(causes: readonly StatusCause[]): StatusError {
  const reported = causes.slice(0, MAX_REPORTED_CAUSES);
  const omitted = causes.length - reported.length;
  const suffix = omitted > 0 ? `; and ${omitted} more problems` : '';
  const message = reported.map((cause) => cause.message).join('; ') + suffix;
  return badRequest(message, reported);
}

/** Builds the cause for a parameter value that breaks `rule`, naming the parameter and value. */
export function invalidValue(
  name: string,
  value: string,
  rule: string,
  reason: StatusCause['reason'] = 'FieldValueInvalid',
): StatusCause {
  const message = `query parameter ${quoteValue(name)} has value ${quoteValue(value)}; ${rule}`;
  return { reason, field: name, message };
}
