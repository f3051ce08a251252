/**
 * resourceVersion arithmetic. The API server documents resourceVersions as opaque strings, but
 * etcd-backed servers issue decimal integers that grow with every write, which is what a watermark
 * needs. They may exceed 2^53, so they are compared as BigInt, never as strings or doubles.
 */

const DECIMAL = /^(0|[1-9][0-9]*)$/;

/** Returns whether `value` is a resourceVersion that can be ordered: a decimal integer. */
export function isOrderedResourceVersion(value: string): boolean {
  return DECIMAL.test(value);
}

/**
 * Compares two resourceVersions as integers: negative when `a` is older, 0 when equal, positive
 * when newer. Throws a TypeError when either is not a decimal integer.
 */
export function compareResourceVersions(a: string, b: string): number {
  if (!isOrderedResourceVersion(a) || !isOrderedResourceVersion(b)) {
    throw new TypeError(`cannot order resourceVersions "${a}" and "${b}": not decimal integers`);
  }
  const difference = BigInt(a) - BigInt(b);
  return difference === 0n ? 0 : difference < 0n ? -1 : 1;
}

/** Returns the oldest of the given resourceVersions, or undefined for an empty list. */
export function minResourceVersion(values: readonly string[]): string | undefined {
  let oldest: string | undefined;
  for (const value of values) {
    if (oldest === undefined || compareResourceVersions(value, oldest) < 0) {
      oldest = value;
    }
  }
  return oldest;
}
