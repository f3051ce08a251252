import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { QueryError } from '../../../src/query/errors.ts';

describe('QueryError', () => {
  test('keeps field, value and rule', () => {
    const error = new QueryError('version', '>=x', 'not a valid semver range');

    assert.equal(error.field, 'version');
    assert.equal(error.value, '>=x');
    assert.equal(error.rule, 'not a valid semver range');
    assert.equal(error.name, 'QueryError');
    assert.ok(error instanceof Error);
  });

  const messages: ReadonlyArray<readonly [string | undefined, string]> = [
    [undefined, 'invalid version ">=x": not a valid semver range'],
    ['version range', 'invalid version range ">=x": not a valid semver range'],
  ];

  for (const [label, expected] of messages) {
    test(`message with label ${String(label)}`, () => {
      const options = label === undefined ? {} : { label };
      const error = new QueryError('version', '>=x', 'not a valid semver range', options);

      assert.equal(error.message, expected);
    });
  }

  test('cuts long values in the message', () => {
    const value = 'a'.repeat(1000);
    const error = new QueryError('version', value, 'too long');

    const expected = `invalid version "${'a'.repeat(64)}"... (1000 characters): too long`;
    assert.equal(error.message, expected);
    assert.equal(error.value, value);
  });

  test('escapes quotes and newlines', () => {
    const error = new QueryError('tags', 'a"b\nc', 'invalid');

    assert.equal(error.message, 'invalid tags "a\\"b\\nc": invalid');
  });

  test('sets cause only when given', () => {
    const cause = new TypeError('inner');

    assert.equal(new QueryError('version', 'x', 'bad', { cause }).cause, cause);
    assert.equal(Object.hasOwn(new QueryError('version', 'x', 'bad'), 'cause'), false);
  });
});
