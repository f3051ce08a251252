/** The maximum number of characters of an invalid value that an error message quotes. */
const MAX_QUOTED_VALUE_LENGTH = 64;

/** Options of a `QueryError` beyond the field, the value and the rule. */
export interface QueryErrorOptions extends ErrorOptions {
  /**
   * The words that name the field in the message, such as `version range` for the field
   * `version`. Default: the field name.
   */
  readonly label?: string;
}

/**
 * QueryError is the error raised for a query parameter that breaks a rule: an invalid version
 * range, for example. The caller did something wrong, so retrying the same query cannot succeed,
 * and the HTTP layer maps this error to a 400 response.
 *
 * The message has the form `invalid <label> "<value>": <rule>`. Values longer than 64 characters
 * are cut in the message but kept whole in `value`.
 */
export class QueryError extends Error {
  /** The query field that contains the invalid value, such as `version`. */
  readonly field: string;
  /** The invalid value exactly as the caller sent it. */
  readonly value: string;
  /** The rule that the value breaks, such as `not a valid semver range`. */
  readonly rule: string;

  constructor(field: string, value: string, rule: string, options: QueryErrorOptions = {}) {
    const label = options.label ?? field;
    const causeOptions = 'cause' in options ? { cause: options.cause } : undefined;
    super(`invalid ${label} ${quoteValue(value)}: ${rule}`, causeOptions);
    this.name = 'QueryError';
    this.field = field;
    this.value = value;
    this.rule = rule;
  }
}

/** Quotes a value for a message, cutting it to `MAX_QUOTED_VALUE_LENGTH` characters. */
function quoteValue(value: string): string {
  if (value.length <= MAX_QUOTED_VALUE_LENGTH) {
    return JSON.stringify(value);
  }

  const head = JSON.stringify(value.slice(0, MAX_QUOTED_VALUE_LENGTH));
  return `${head}... (${value.length} characters)`;
}
