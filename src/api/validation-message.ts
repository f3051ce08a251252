/**
 * Formatting of validation messages: a field path as users see it (`spec.tags[3]`,
 * `spec.attributes["team"]`) and a short, bounded description of the value found there. Messages
 * end up in status conditions and logs, so a value never appears in full when it is long.
 */

/** The number of code units of a string value that a message quotes before it truncates. */
export const QUOTED_VALUE_MAX_LENGTH = 64;

/** One step of a field path: an object key or a list index. */
export type PathSegment = string | number;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Fields whose keys are user data, so that a path always shows them as quoted map keys. */
const MAP_FIELDS = new Set(['attributes']);

/**
 * Formats a path below `spec` in the style of API server field errors (`spec.tags[3]`,
 * `spec.endpoints[0].url`), but with map keys quoted, as in `spec.attributes["team"]`. A long key
 * is truncated like a quoted value.
 */
export function formatSpecPath(path: readonly PathSegment[]): string {
  let text = 'spec';
  let previous: PathSegment | undefined;

  for (const segment of path) {
    if (typeof segment === 'number') {
      text += `[${segment}]`;
    } else if (typeof previous === 'string' && MAP_FIELDS.has(previous)) {
      text += `[${quoteString(segment)}]`;
    } else if (IDENTIFIER.test(segment)) {
      text += `.${segment}`;
    } else {
      text += `[${quoteString(segment)}]`;
    }
    previous = segment;
  }
  return text;
}

/**
 * Describes a value for a message. A string is quoted as JSON and cut after
 * `QUOTED_VALUE_MAX_LENGTH` code units, with its full length added. A list is described by its
 * length and an object by its kind alone, so neither is ever printed.
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    const quoted = quoteString(value);
    return value.length > QUOTED_VALUE_MAX_LENGTH
      ? `${quoted} (${value.length} characters)`
      : quoted;
  }
  if (value === null) {
    return 'null';
  }
  if (Array.isArray(value)) {
    return value.length === 1 ? '(a list of 1 item)' : `(a list of ${value.length} items)`;
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  if (typeof value === 'object') {
    return '(an object)';
  }
  return `(a ${typeof value})`;
}

/** Quotes a string as JSON, cut after `QUOTED_VALUE_MAX_LENGTH` code units with a `...` mark. */
export function quoteString(value: string): string {
  if (value.length <= QUOTED_VALUE_MAX_LENGTH) {
    return JSON.stringify(value);
  }
  return `${JSON.stringify(value.slice(0, QUOTED_VALUE_MAX_LENGTH)).slice(0, -1)}..."`;
}

/**
 * Returns the value at `path` inside `root`, reading only own properties, so that a path through
 * `__proto__` or `constructor` never reaches a prototype. Returns undefined where the path ends
 * early, and where reading throws, as a Proxy or a getter may.
 */
export function valueAtPath(root: unknown, path: readonly PathSegment[]): unknown {
  let current: unknown = root;

  try {
    for (const segment of path) {
      if (typeof current !== 'object' || current === null || !Object.hasOwn(current, segment)) {
        return undefined;
      }
      current = (current as Record<PathSegment, unknown>)[segment];
    }
  } catch {
    // The message then reports the field as missing, the closest description that can be read.
    return undefined;
  }
  return current;
}
