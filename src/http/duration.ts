/**
 * Durations in the notation of Go's `time.ParseDuration` and `kubectl --request-timeout`, limited
 * to non-negative values: one or more decimal numbers, each with a unit, such as `30s`, `2m`,
 * `1500ms`, `1m30s` or `1.5s`.
 */

/** The milliseconds in one of each accepted unit. */
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A whole duration: one or more number-and-unit parts. */
const DURATION = /^(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:ms|s|m|h))+$/;

/** One part of a duration. */
const PART = /([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(ms|s|m|h)/g;

/**
 * Reads a duration into milliseconds, or returns undefined when the text is not one. The units
 * are `ms`, `s`, `m` and `h`; signs, spaces and a number without a unit (even `0`) are rejected.
 */
export function parseDurationMs(text: string): number | undefined {
  if (!DURATION.test(text)) {
    return undefined;
  }

  let total = 0;
  for (const [, amount = '', unit = ''] of text.matchAll(PART)) {
    total += Number(amount) * (UNIT_MS[unit] ?? Number.NaN);
  }

  return Number.isFinite(total) ? total : undefined;
}
