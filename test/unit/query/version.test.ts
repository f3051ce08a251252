import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { QueryError } from '../../../src/query/errors.ts';
import {
  MAX_VERSION_RANGE_LENGTH,
  parseVersion,
  parseVersionRange,
} from '../../../src/query/version.ts';

/** Asserts that `action` throws a QueryError for the version field with `value`. */
function assertVersionError(action: () => unknown, value: string): QueryError {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }

  assert.ok(caught instanceof QueryError, `expected a QueryError for ${JSON.stringify(value)}`);
  assert.equal(caught.field, 'version');
  assert.equal(caught.value, value);
  return caught;
}

describe('parseVersionRange', () => {
  const valid: ReadonlyArray<readonly [string, string, string]> = [
    // [range, a version inside, a version outside]
    ['>=2.0.0 <3.0.0', '2.5.1', '3.0.0'],
    ['^1.4', '1.9.0', '1.3.9'],
    ['~1.2.3', '1.2.9', '1.3.0'],
    ['1.x || >=2.5.0', '2.6.0', '2.4.0'],
    ['1.2.3 - 1.4', '1.4.7', '1.5.0'],
    ['=1.2.3', '1.2.3', '1.2.4'],
    ['*', '0.0.1', '1.0.0-rc.1'],
    ['x.x', '7.0.0', '7.0.0-alpha'],
    ['  >= 1.0.0  ', '1.0.0', '0.9.9'],
  ];

  for (const [text, inside, outside] of valid) {
    test(`accepts ${JSON.stringify(text)}`, () => {
      const range = parseVersionRange(text);

      assert.equal(range.test(inside), true, `${inside} should satisfy ${text}`);
      assert.equal(range.test(outside), false, `${outside} should not satisfy ${text}`);
    });
  }

  const invalid: ReadonlyArray<readonly [string, RegExp]> = [
    ['', /must not be empty/],
    ['   ', /must not be empty/],
    ['garbage', /not a valid semver range/],
    ['>=x', /not a valid semver range because ">=x" has no version number/],
    ['<*', /has no version number/],
    ['~X', /has no version number/],
    ['1.2.3 ||', /an alternative around "\|\|" is empty/],
    ['|| 1.2.3', /an alternative around "\|\|" is empty/],
    ['1.0.0 || || 2.0.0', /an alternative around "\|\|" is empty/],
    ['1.2.3.4', /not a valid semver range/],
    ['01.2.3', /not a valid semver range/],
    ['>>1', /not a valid semver range/],
    ['1.2.3,1.2.4', /not a valid semver range/],
    ['>=1.0.0\n<2.0.0', /printable ASCII/],
    ['>=1.0.0\u00a0<2.0.0', /printable ASCII/],
    ['x'.repeat(MAX_VERSION_RANGE_LENGTH + 1), /longer than the maximum of 256 characters/],
  ];

  for (const [text, message] of invalid) {
    test(`rejects ${JSON.stringify(text.slice(0, 24))}`, () => {
      const error = assertVersionError(() => parseVersionRange(text), text);

      assert.match(error.message, message);
      assert.match(error.message, /^invalid version range "/);
    });
  }

  test('accepts the maximum length', () => {
    const padded = `${' '.repeat(MAX_VERSION_RANGE_LENGTH - 5)}1.0.0`;
    assert.equal(padded.length, MAX_VERSION_RANGE_LENGTH);

    assert.equal(parseVersionRange(padded).test('1.0.0'), true);
  });

  test('names the range in the message', () => {
    const error = assertVersionError(() => parseVersionRange('>=x'), '>=x');

    assert.equal(
      error.message,
      'invalid version range ">=x": not a valid semver range because ">=x" has no version ' +
        'number (write * for any version)',
    );
  });

  test('keeps the semver error as cause', () => {
    const error = assertVersionError(() => parseVersionRange('garbage'), 'garbage');

    assert.ok(error.cause instanceof TypeError);
  });

  const prerelease: ReadonlyArray<readonly [string, string, boolean, boolean]> = [
    // [range, version, matches by default, matches with includePrerelease]
    ['>=1.2.3', '1.2.4-beta.1', false, true],
    ['>=1.2.3-beta.1', '1.2.3-beta.2', true, true],
    ['>=1.2.3-beta.1', '1.2.4-beta.1', false, true],
    ['^1.0.0', '1.5.0-rc.1', false, true],
    ['*', '2.0.0-alpha', false, true],
    ['<2.0.0', '2.0.0-rc.1', false, true],
    ['>=1.0.0', '1.0.0-rc.1', false, false],
  ];

  for (const [text, version, byDefault, included] of prerelease) {
    test(`pre-release ${version} against ${text}`, () => {
      assert.equal(parseVersionRange(text).test(version), byDefault);
      assert.equal(parseVersionRange(text, true).test(version), included);
    });
  }

  const buildMetadata: ReadonlyArray<readonly [string, string, boolean]> = [
    ['>=1.2.3', '1.2.3+build.5', true],
    ['=1.2.3', '1.2.3+build.5', true],
    ['1.2.3', '1.2.3+other', true],
    ['>1.2.3', '1.2.3+build.5', false],
    ['<1.2.3', '1.2.3+build.5', false],
  ];

  for (const [text, display, expected] of buildMetadata) {
    test(`build metadata ignored for ${display} against ${text}`, () => {
      assert.equal(parseVersionRange(text).test(parseVersion(display)), expected);
    });
  }
});

describe('parseVersion', () => {
  const valid: ReadonlyArray<readonly [string, string, readonly string[]]> = [
    // [display, version without build, build identifiers]
    ['1.2.3', '1.2.3', []],
    ['1.2.3+build.5', '1.2.3', ['build', '5']],
    ['2.0.0-rc.1', '2.0.0-rc.1', []],
    ['2.0.0-rc.1+sha.abc', '2.0.0-rc.1', ['sha', 'abc']],
  ];

  for (const [display, version, build] of valid) {
    test(`parses ${display}`, () => {
      const parsed = parseVersion(display);

      assert.equal(parsed.version, version);
      assert.deepEqual(parsed.build, build);
    });
  }

  const invalid = ['', 'v1.2.3', ' 1.2.3', '1.2.3 ', '1.2', '1.2.3-', '01.2.3', 'latest'];

  for (const display of invalid) {
    test(`rejects ${JSON.stringify(display)}`, () => {
      const error = assertVersionError(() => parseVersion(display), display);

      assert.match(error.message, /not a valid semantic version/);
    });
  }
});
