import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  decodePathSegment,
  MAX_VALUE_LENGTH,
  parseParameters,
  queryErrorToStatus,
} from '../../../src/http/query-parameters.ts';
import { StatusError } from '../../../src/http/status.ts';
import { QueryError } from '../../../src/query/errors.ts';

/** Returns the error that `run` throws, failing when it returns or throws anything else. */
function statusErrorOf(run: () => unknown): StatusError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof StatusError, `expected a StatusError, got ${String(error)}`);
    return error;
  }

  assert.fail('expected a StatusError, but nothing was thrown');
}

describe('parseParameters', () => {
  test('keeps values in request order', () => {
    const parameters = parseParameters('a=2&b=1&a=1', { a: 3, b: 1 });

    assert.deepEqual(
      [...parameters],
      [
        ['a', ['2', '1']],
        ['b', ['1']],
      ],
    );
  });

  test('applies a per-parameter maximum length', () => {
    const long = 'v'.repeat(MAX_VALUE_LENGTH + 1);

    assert.deepEqual(parseParameters(`a=${long}`, { a: 1 }, { a: 1000 }).get('a'), [long]);
    assert.match(
      statusErrorOf(() => parseParameters('a=abcd', { a: 1 }, { a: 3 })).message,
      /^query parameter "a" has a value of 4 characters, "abcd"; the maximum is 3$/,
    );
  });

  test('rejects any parameter when none is accepted', () => {
    const error = statusErrorOf(() => parseParameters('a=1', {}));

    assert.equal(
      error.message,
      'unknown query parameter "a"; this route takes no query parameters',
    );
  });
});

describe('decodePathSegment', () => {
  test('decodes percent-encoding', () => {
    assert.equal(decodePathSegment('a%2Fb%20c', 'name'), 'a/b c');
  });

  test('keeps plus as plus', () => {
    assert.equal(decodePathSegment('a+b', 'name'), 'a+b');
  });

  test('rejects malformed percent-encoding', () => {
    const error = statusErrorOf(() => decodePathSegment('%E0%A4%A', 'namespace'));

    assert.equal(error.code, 400);
    assert.equal(error.details?.causes?.[0]?.field, 'namespace');
  });
});

describe('queryErrorToStatus', () => {
  test('names the parameter of the query field', () => {
    const status = queryErrorToStatus(new QueryError('tags', 'x', 'not allowed'), { tags: 'tag' });

    assert.equal(status.code, 400);
    assert.equal(status.message, 'invalid tags "x": not allowed');
    assert.deepEqual(status.details?.causes, [
      { reason: 'FieldValueInvalid', field: 'tag', message: 'invalid tags "x": not allowed' },
    ]);
  });

  test('keeps version as the field', () => {
    const status = queryErrorToStatus(new QueryError('version', '>=x', 'not a valid semver range'));

    assert.equal(status.details?.causes?.[0]?.field, 'version');
  });
});
