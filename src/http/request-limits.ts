/**
 * The limits on what one request may send to the query endpoint: the URL length, the number of
 * query parameters, the values of one list parameter and the selector length. The server checks
 * the URL before routing, and the parameter parsers check the rest, each with a 4xx `Status`
 * that names the limit.
 */
import { MAX_SELECTOR_LENGTH } from '../query/selector.ts';

/** Default of `RequestLimits.maxUrlLength`, in characters. */
export const DEFAULT_MAX_URL_LENGTH = 8192;

/** Default of `RequestLimits.maxParameters`. */
export const DEFAULT_MAX_PARAMETERS = 256;

/** Default of `RequestLimits.maxValuesPerParameter`. */
export const DEFAULT_MAX_VALUES_PER_PARAMETER = 64;

/** Default of `RequestLimits.maxSelectorLength`, also its cap, in UTF-16 code units. */
export const DEFAULT_MAX_SELECTOR_LENGTH = MAX_SELECTOR_LENGTH;

/** The limits on one request. */
export interface RequestLimits {
  /**
   * Maximum length of the request target (path and query string, still percent-encoded), in
   * characters; a longer one gets a 414. Default: `DEFAULT_MAX_URL_LENGTH` (8192).
   */
  readonly maxUrlLength: number;
  /**
   * Maximum number of `name=value` pairs in the query string, repeats included; more get a 400.
   * Default: `DEFAULT_MAX_PARAMETERS` (256).
   */
  readonly maxParameters: number;
  /**
   * Maximum number of occurrences of one list parameter, such as `tag`; more get a 400.
   * Default: `DEFAULT_MAX_VALUES_PER_PARAMETER` (64).
   */
  readonly maxValuesPerParameter: number;
  /**
   * Maximum length of `selector` after decoding, in UTF-16 code units, at most
   * `MAX_SELECTOR_LENGTH`; a longer one gets a 400. Default: `DEFAULT_MAX_SELECTOR_LENGTH` (4096).
   */
  readonly maxSelectorLength: number;
}

/** The limits that apply when the server is given none. */
export const DEFAULT_REQUEST_LIMITS: RequestLimits = {
  maxUrlLength: DEFAULT_MAX_URL_LENGTH,
  maxParameters: DEFAULT_MAX_PARAMETERS,
  maxValuesPerParameter: DEFAULT_MAX_VALUES_PER_PARAMETER,
  maxSelectorLength: DEFAULT_MAX_SELECTOR_LENGTH,
};

/**
 * Fills the limits that `partial` leaves out or sets to undefined with the defaults, and checks
 * each one.
 *
 * @throws RangeError naming the option, its value and the allowed range.
 */
export function resolveRequestLimits(
  partial: { readonly [K in keyof RequestLimits]?: number | undefined } = {},
): RequestLimits {
  const limits: RequestLimits = {
    maxUrlLength: partial.maxUrlLength ?? DEFAULT_MAX_URL_LENGTH,
    maxParameters: partial.maxParameters ?? DEFAULT_MAX_PARAMETERS,
    maxValuesPerParameter: partial.maxValuesPerParameter ?? DEFAULT_MAX_VALUES_PER_PARAMETER,
    maxSelectorLength: partial.maxSelectorLength ?? DEFAULT_MAX_SELECTOR_LENGTH,
  };
  checkRange('maxUrlLength', limits.maxUrlLength, 16, Number.MAX_SAFE_INTEGER);
  checkRange('maxParameters', limits.maxParameters, 1, Number.MAX_SAFE_INTEGER);
  checkRange('maxValuesPerParameter', limits.maxValuesPerParameter, 1, Number.MAX_SAFE_INTEGER);
  checkRange('maxSelectorLength', limits.maxSelectorLength, 1, MAX_SELECTOR_LENGTH);
  return limits;
}

function checkRange(option: string, value: number, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new RangeError(`invalid ${option} ${value}: must be an integer from ${min} to ${max}`);
  }
}
