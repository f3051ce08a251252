/** Options of capped exponential backoff. */
export interface BackoffOptions {
  /** Delay after the first failure, in milliseconds. */
  readonly initialMs: number;
  /** Upper bound of every delay, in milliseconds. */
  readonly maxMs: number;
}

/**
 * Returns the delay before retry number `failures` (1 for the first failure): `initialMs` doubled
 * for each earlier failure, capped at `maxMs`, and 0 when nothing failed yet.
 */
export function backoffDelayMs(failures: number, options: BackoffOptions): number {
  if (failures <= 0) {
    return 0;
  }
  const exponent = Math.min(failures - 1, 30);
  return Math.min(options.initialMs * 2 ** exponent, options.maxMs);
}
