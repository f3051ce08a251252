/**
 * The syntax of Kubernetes label keys and values, as k8s.io/apimachinery/pkg/util/validation
 * checks them (`IsQualifiedName` and `IsValidLabelValue`). The label selector parser validates
 * its keys and unquoted values with these rules, so that it accepts and rejects what the API
 * server does. The query layer keeps its own copy of the rules because it sits below `src/api`.
 */

/** The maximum length of the name part of a label key and of a label value, in characters. */
export const MAX_LABEL_NAME_LENGTH = 63;

/** The maximum length of the prefix of a label key (a DNS-1123 subdomain), in characters. */
export const MAX_LABEL_PREFIX_LENGTH = 253;

/** The maximum length of a label value, in characters. */
export const MAX_LABEL_VALUE_LENGTH = 63;

const DNS1123_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN = new RegExp(`^${DNS1123_LABEL}(\\.${DNS1123_LABEL})*$`);
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

const NAME_RULE =
  "must consist of letters, digits, '-', '_' or '.', and must start and end with a letter or digit";
const PREFIX_RULE =
  "must be a lowercase DNS-1123 subdomain: labels of letters, digits and '-' joined by '.'";

/**
 * Checks a label key: an optional DNS-1123 subdomain prefix of at most 253 characters and `/`,
 * then a name of 1 to 63 letters, digits, `-`, `_` or `.` that starts and ends with a letter or
 * digit. Returns the rules that the key breaks, joined by `; `, or undefined for a valid key.
 */
export function labelKeyError(key: string): string | undefined {
  const parts = key.split('/');
  if (parts.length > 2) {
    return "must be a name with an optional prefix and '/', but contains more than one '/'";
  }

  const [first = '', second] = parts;
  const errors: string[] = [];
  if (second !== undefined) {
    errors.push(...prefixErrors(first));
  }

  errors.push(...nameErrors(second ?? first));
  return errors.length === 0 ? undefined : errors.join('; ');
}

/**
 * Checks a label value: empty, or at most 63 letters, digits, `-`, `_` or `.` that start and end
 * with a letter or digit. Returns the rules that the value breaks, or undefined for a valid value.
 */
export function labelValueError(value: string): string | undefined {
  const errors: string[] = [];
  if (value.length > MAX_LABEL_VALUE_LENGTH) {
    errors.push(`must be at most ${MAX_LABEL_VALUE_LENGTH} characters`);
  }

  if (!LABEL_VALUE.test(value)) {
    errors.push(`must be empty or ${NAME_RULE}`);
  }

  return errors.length === 0 ? undefined : errors.join('; ');
}

function prefixErrors(prefix: string): string[] {
  if (prefix === '') {
    return ['the prefix before / must not be empty'];
  }

  const errors: string[] = [];
  if (prefix.length > MAX_LABEL_PREFIX_LENGTH) {
    errors.push(`the prefix must be at most ${MAX_LABEL_PREFIX_LENGTH} characters`);
  }

  if (!DNS1123_SUBDOMAIN.test(prefix)) {
    errors.push(`the prefix ${PREFIX_RULE}`);
  }

  return errors;
}

function nameErrors(name: string): string[] {
  if (name === '') {
    return ['the name must not be empty'];
  }

  const errors: string[] = [];
  if (name.length > MAX_LABEL_NAME_LENGTH) {
    errors.push(`the name must be at most ${MAX_LABEL_NAME_LENGTH} characters`);
  }

  if (!QUALIFIED_NAME.test(name)) {
    errors.push(`the name ${NAME_RULE}`);
  }

  return errors;
}
