/**
 * One requirement of a label selector and its meaning, as `Requirement.Matches` of
 * k8s.io/apimachinery/pkg/labels defines it:
 * - `=`, `==` and `in` match an object that has the key with one of the values;
 * - `!=` and `notin` match an object whose value is none of the values, and also an object
 *   without the key;
 * - `exists` matches an object that has the key, whatever its value, and `!` one that does not;
 * - `gt` and `lt` match an object whose value, read as a 64-bit integer, is greater or less than
 *   the requirement's integer. An object without the key, or whose value is not such an integer,
 *   does not match.
 *
 * Integers: the selector's operand must be decimal digits only, because Kubernetes requires it
 * to be both a valid label value (no sign) and readable by Go's `strconv.ParseInt(s, 10, 64)`. The
 * object's value is read by `strconv.ParseInt(s, 10, 64)` alone, which also accepts a leading `+`
 * or `-`: an attribute `-3` is below `0`. Label values cannot start with a sign, so this case
 * never arises in Kubernetes itself. Leading zeros are allowed on both sides (`007` is 7), and a
 * number outside the int64 range is not an integer.
 */

/** A map of attribute names to values, as `spec.attributes` holds it. */
export type Attributes = Readonly<Record<string, string>>;

/**
 * The operator of a requirement, named as k8s.io/apimachinery/pkg/selection names them: `gt` and
 * `lt` are written `>` and `<` in a selector, `exists` is a bare key and `!` is `!key`.
 */
export type RequirementOperator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';

/** One condition of a label selector on one attribute. */
export interface Requirement {
  /** The attribute name, a valid label key. */
  readonly key: string;
  readonly operator: RequirementOperator;
  /**
   * The values, unique and in ascending code-unit order: one for `=`, `==`, `!=`, `gt` and `lt`,
   * at least one for `in` and `notin` (`in ()` holds the empty string), none for `exists` and `!`.
   */
  readonly values: readonly string[];
}

/** Tests one attribute map against one requirement. */
export type AttributeTest = (attributes: Attributes) => boolean;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UNSIGNED_DIGITS = /^[0-9]+$/;
const SIGNED_DIGITS = /^[+-]?[0-9]+$/;

/** A label value that may appear unquoted in a formatted selector. */
const PLAIN_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/**
 * Reads a decimal integer as Go's `strconv.ParseInt(text, 10, 64)` does, or returns undefined
 * when it is not one. With `signed` false, a leading `+` or `-` is rejected as well.
 */
export function parseInt64(text: string, signed: boolean): bigint | undefined {
  if (!(signed ? SIGNED_DIGITS : UNSIGNED_DIGITS).test(text)) {
    return undefined;
  }

  const value = BigInt(text);
  return value < INT64_MIN || value > INT64_MAX ? undefined : value;
}

/**
 * Tells whether the attribute index can list the records that match a requirement: `=`, `==`
 * and `in` look up values, and `exists` looks up the key. The other operators also match records
 * that lack the key, or compare numbers, so they run as filters.
 */
export function isIndexable(requirement: Requirement): boolean {
  return ['=', '==', 'in', 'exists'].includes(requirement.operator);
}

/**
 * Compiles a requirement into a test of attribute maps. Only own properties count, so a key such
 * as `constructor` is not found on an object that lacks it.
 *
 * @throws RangeError when a `gt` or `lt` requirement has no operand of decimal digits within the
 *   int64 range; `parseSelector` never produces one.
 */
export function compileRequirement(requirement: Requirement): AttributeTest {
  const { key, operator, values } = requirement;
  const valueOf = (attributes: Attributes): string | undefined =>
    Object.hasOwn(attributes, key) ? attributes[key] : undefined;

  switch (operator) {
    case 'exists':
      return (attributes) => Object.hasOwn(attributes, key);
    case '!':
      return (attributes) => !Object.hasOwn(attributes, key);
    case '=':
    case '==':
    case 'in':
      return compileMembership(valueOf, values, true);
    case '!=':
    case 'notin':
      return compileMembership(valueOf, values, false);
    case 'gt':
    case 'lt':
      return compileComparison(valueOf, requirement);
  }
}

function compileMembership(
  valueOf: (attributes: Attributes) => string | undefined,
  values: readonly string[],
  included: boolean,
): AttributeTest {
  const accepted = new Set(values);
  return (attributes) => {
    const value = valueOf(attributes);
    return value === undefined ? !included : accepted.has(value) === included;
  };
}

function compileComparison(
  valueOf: (attributes: Attributes) => string | undefined,
  requirement: Requirement,
): AttributeTest {
  const [operand = ''] = requirement.values;
  const bound = parseInt64(operand, false);
  if (bound === undefined || requirement.values.length !== 1) {
    const rule = 'must be one decimal integer within the int64 range';
    throw new RangeError(
      `invalid operand ${JSON.stringify(operand)} of ${requirement.key}: ${rule}`,
    );
  }

  const greater = requirement.operator === 'gt';
  return (attributes) => {
    const text = valueOf(attributes);
    const value = text === undefined ? undefined : parseInt64(text, true);
    if (value === undefined) {
      return false;
    }

    return greater ? value > bound : value < bound;
  };
}

/**
 * Formats a requirement in selector syntax, such as `team in (core,web)`, `!canary` or `cpu>4`.
 * A value that is not a valid label value is written in double quotes, so the text parses back
 * into the same requirement.
 */
export function formatRequirement(requirement: Requirement): string {
  const { key, operator, values } = requirement;
  const formatted = values.map(formatValue);

  switch (operator) {
    case 'exists':
      return key;
    case '!':
      return `!${key}`;
    case 'in':
    case 'notin':
      return `${key} ${operator} (${formatted.join(',')})`;
    case 'gt':
      return `${key}>${formatted.join(',')}`;
    case 'lt':
      return `${key}<${formatted.join(',')}`;
    default:
      return `${key}${operator}${formatted.join(',')}`;
  }
}

function formatValue(value: string): string {
  if (PLAIN_VALUE.test(value) && value.length <= 63) {
    return value;
  }

  return `"${value.replace(/[\\"]/g, (character) => `\\${character}`)}"`;
}
