/**
 * Semantic versions and version ranges, parsed with node-semver (the `semver` package, 7.x) in its
 * strict mode.
 *
 * node-semver accepts a few ranges that match every version although they look like a mistake:
 * `>=x` compiles to `*`, and `1.2.3 ||` ends in an empty alternative that also compiles to `*`.
 * An empty string compiles to `*` as well. `parseVersionRange` rejects these, so a typo returns an
 * error rather than every record. A user who wants every version omits the range: `*` matches
 * every release but, like any range, no pre-release.
 */
import { Range, SemVer } from 'semver';

import { QueryError } from './errors.ts';

/** The maximum length of a version range, in characters. */
export const MAX_VERSION_RANGE_LENGTH = 256;

const VERSION_FIELD = 'version';
const RANGE_LABEL = 'version range';
const NOT_A_RANGE = 'not a valid semver range';
const NOT_A_VERSION = 'not a valid semantic version such as 1.2.3, 1.2.3-rc.1 or 1.2.3+build.5';

/** Printable ASCII, the only characters that a node-semver range or version can use. */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** An alternative without any digit, which node-semver can only read as a wildcard. */
const NO_DIGIT = /^\D*$/;

/** A bare wildcard: `*`, `x` or `X`, optionally repeated for minor and patch (`x.x.x`). */
const BARE_WILDCARD = /^[*xX](?:\.[*xX]){0,2}$/;

/**
 * Parses a node-semver range such as `>=2.0.0 <3.0.0`, `^1.4` or `1.x || >=2.5.0` into a compiled
 * `Range`, so that a query tests each version against it without parsing the range again.
 *
 * The range is parsed in strict (non-loose) mode, with these checks beyond node-semver's own:
 * - the text is not empty or only whitespace;
 * - it has at most `MAX_VERSION_RANGE_LENGTH` characters, all printable ASCII;
 * - no alternative around `||` is empty;
 * - an alternative without a version number is a bare wildcard (`*`, `x`, `X`), so `>=x` and `<*`
 *   are rejected.
 *
 * Pre-releases: node-semver leaves a version with a pre-release tag, such as `1.3.0-rc.1`, out
 * of a range. It matches only when a comparator of the range names the same major.minor.patch
 * with a pre-release tag: `>=1.3.0-rc.0` matches `1.3.0-rc.1` but not `1.4.0-rc.1`. With
 * `includePrerelease` set, pre-releases match like any other version.
 *
 * Build metadata (`+build.5`) never affects matching or ordering, as SemVer 2.0.0 specifies, so
 * `1.2.3+build.5` satisfies both `>=1.2.3` and `=1.2.3`.
 *
 * @param text - The range as the user wrote it.
 * @param includePrerelease - Whether pre-release versions match like release versions. Default:
 *   false.
 * @throws QueryError with field `version` when the range is invalid.
 */
export function parseVersionRange(text: string, includePrerelease = false): Range {
  checkRangeText(text);

  let range: Range;
  try {
    range = new Range(text, { loose: false, includePrerelease });
  } catch (error) {
    throw new QueryError(VERSION_FIELD, text, NOT_A_RANGE, { label: RANGE_LABEL, cause: error });
  }

  checkAlternatives(text);
  return range;
}

/**
 * Parses a display version, as stored in `MetadataRecord.version`, into a `SemVer`.
 *
 * A display version is an exact semantic version: no leading `v`, no surrounding whitespace, and
 * build metadata kept (`1.2.3+build.5`). node-semver keeps the build identifiers in
 * `SemVer.build` but ignores them for matching and ordering.
 *
 * @throws QueryError with field `version` when the text is not an exact semantic version.
 */
export function parseVersion(display: string): SemVer {
  let version: SemVer;
  try {
    version = new SemVer(display, { loose: false });
  } catch (error) {
    throw new QueryError(VERSION_FIELD, display, NOT_A_VERSION, { cause: error });
  }

  // node-semver also accepts a leading `v` and surrounding whitespace, which a display version
  // must not have, so the text must equal the version that was read from it.
  if (display !== formatVersion(version)) {
    throw new QueryError(VERSION_FIELD, display, NOT_A_VERSION);
  }

  return version;
}

/** Formats a version with its build metadata, the form that `parseVersion` accepts. */
function formatVersion(version: SemVer): string {
  if (version.build.length === 0) {
    return version.version;
  }

  return `${version.version}+${version.build.join('.')}`;
}

/** Checks the rules that apply to the whole text before node-semver reads it. */
function checkRangeText(text: string): void {
  if (text.length > MAX_VERSION_RANGE_LENGTH) {
    const rule = `longer than the maximum of ${MAX_VERSION_RANGE_LENGTH} characters`;
    throw new QueryError(VERSION_FIELD, text, rule, { label: RANGE_LABEL });
  }

  if (text.trim() === '') {
    const rule = 'must not be empty (omit the range to match every version)';
    throw new QueryError(VERSION_FIELD, text, rule, { label: RANGE_LABEL });
  }

  if (!PRINTABLE_ASCII.test(text)) {
    const rule = 'must contain only printable ASCII characters';
    throw new QueryError(VERSION_FIELD, text, rule, { label: RANGE_LABEL });
  }
}

/**
 * Checks each `||` alternative for the forms that node-semver accepts but reads as "any version":
 * an empty alternative, and an operator applied to a wildcard (`>=x`, `<*`, `~X`).
 */
function checkAlternatives(text: string): void {
  for (const alternative of text.split('||')) {
    const trimmed = alternative.trim();

    if (trimmed === '') {
      const rule = `${NOT_A_RANGE} because an alternative around "||" is empty`;
      throw new QueryError(VERSION_FIELD, text, rule, { label: RANGE_LABEL });
    }

    if (NO_DIGIT.test(trimmed) && !BARE_WILDCARD.test(trimmed)) {
      const quoted = JSON.stringify(trimmed);
      const hint = 'write * for any version';
      const rule = `${NOT_A_RANGE} because ${quoted} has no version number (${hint})`;
      throw new QueryError(VERSION_FIELD, text, rule, { label: RANGE_LABEL });
    }
  }
}
