/**
 * The query parameters that make a request wait: `timeout`, `minResourceVersion` (wait until the
 * index has applied every watch event up to a resourceVersion) and `waitForChange` (wait until
 * the result of the query changes). Both versions are decimal integers, compared as BigInt like
 * the index's watermark, so an etcd revision of any length compares correctly.
 */
import { parseDurationMs } from './duration.ts';
import { invalidRequest, invalidValue, parseParameters } from './query-parameters.ts';
import { DEFAULT_MAX_PARAMETERS } from './request-limits.ts';
import type { StatusCause } from './status.ts';

/** The maximum of `timeout`, in milliseconds: 5 minutes. */
export const MAX_TIMEOUT_MS = 300_000;

/**
 * How long a request waits for `minResourceVersion`, a `continue` token's resourceVersion or
 * `waitForChange` when it sends no `timeout`, in milliseconds: 30 seconds.
 */
export const DEFAULT_WAIT_TIMEOUT_MS = 30_000;

/** The names of the query parameters of `GET /v1/services/{namespace}/{name}`, ascending. */
export const OBJECT_PARAMETERS: readonly string[] = ['minResourceVersion', 'timeout'];

/** A decimal integer: the only resourceVersion form that the index compares. */
const DECIMAL = /^[0-9]+$/;

/** The waiting parameters of a request after they were read. */
export interface ConsistencyRequest {
  /** The `timeout`, in milliseconds, when given. */
  readonly timeoutMs?: number;
  /** The resourceVersion that the index must reach before the request is served. */
  readonly minResourceVersion?: bigint;
  /** The result version after which the result must change before the request is served. */
  readonly waitForChange?: bigint;
}

/**
 * Reads `timeout`, `minResourceVersion` and `waitForChange` from decoded parameters, adding a
 * cause for each invalid value. A parameter that the route does not accept is simply absent.
 */
export function readConsistency(
  parameters: ReadonlyMap<string, string[]>,
  causes: StatusCause[],
): ConsistencyRequest {
  const timeoutMs = readTimeout(parameters.get('timeout')?.[0], causes);
  const minResourceVersion = readVersion(parameters, 'minResourceVersion', causes);
  const waitForChange = readVersion(parameters, 'waitForChange', causes);

  return {
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    ...(minResourceVersion === undefined ? {} : { minResourceVersion }),
    ...(waitForChange === undefined ? {} : { waitForChange }),
  };
}

/**
 * Reads the query string of `GET /v1/services/{namespace}/{name}`: `minResourceVersion` and
 * `timeout`.
 *
 * @param maxParameters - The maximum number of `name=value` pairs. Default:
 *   `DEFAULT_MAX_PARAMETERS`.
 * @throws StatusError 400 naming every invalid parameter, its value and the rule it breaks.
 */
export function parseObjectRequest(
  rawQuery: string,
  maxParameters = DEFAULT_MAX_PARAMETERS,
): ConsistencyRequest {
  const limits = Object.fromEntries(OBJECT_PARAMETERS.map((name) => [name, 1]));
  const parameters = parseParameters(rawQuery, limits, {}, maxParameters);
  const causes: StatusCause[] = [];
  const request = readConsistency(parameters, causes);

  if (causes.length > 0) {
    throw invalidRequest(causes);
  }

  return request;
}

function readTimeout(value: string | undefined, causes: StatusCause[]): number | undefined {
  if (value === undefined) {
    return undefined;
  }

  const timeoutMs = parseDurationMs(value);
  if (timeoutMs === undefined || timeoutMs <= 0 || timeoutMs > MAX_TIMEOUT_MS) {
    const rule = 'it must be a duration above 0 and at most 5m, such as 30s, 2m or 1500ms';
    causes.push(invalidValue('timeout', value, rule));
    return undefined;
  }

  return timeoutMs;
}

function readVersion(
  parameters: ReadonlyMap<string, string[]>,
  name: string,
  causes: StatusCause[],
): bigint | undefined {
  const value = parameters.get(name)?.[0];
  if (value === undefined) {
    return undefined;
  }

  if (!DECIMAL.test(value)) {
    const rule = 'it must be a resourceVersion returned by this API, a decimal integer';
    causes.push(invalidValue(name, value, rule));
    return undefined;
  }

  return BigInt(value);
}
