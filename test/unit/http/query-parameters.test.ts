import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  decodePathSegment,
  MAX_VALUE_LENGTH,
  parseParameters,
  parseServiceQuery,
  queryErrorToStatus,
  SERVICE_QUERY_PARAMETERS,
  serviceQueryCacheKey,
} from '../../../src/http/query-parameters.ts';
import { StatusError } from '../../../src/http/status.ts';
import { QueryError } from '../../../src/query/errors.ts';
import type { ServiceQuery } from '../../../src/query/model.ts';

const EMPTY_QUERY: ServiceQuery = {
  namespaces: [],
  services: [],
  environments: [],
  regions: [],
  tags: [],
};

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

describe('parseServiceQuery', () => {
  const cases: { name: string; raw: string; expected: Partial<ServiceQuery> }[] = [
    { name: 'empty query string', raw: '', expected: {} },
    {
      name: 'each list parameter',
      raw: 'namespace=a&service=s&environment=e&region=r&tag=t',
      expected: {
        namespaces: ['a'],
        services: ['s'],
        environments: ['e'],
        regions: ['r'],
        tags: ['t'],
      },
    },
    { name: 'values sorted', raw: 'tag=b&tag=a&tag=C', expected: { tags: ['C', 'a', 'b'] } },
    {
      name: 'duplicates dropped',
      raw: 'region=x&region=y&region=x',
      expected: { regions: ['x', 'y'] },
    },
    { name: 'comma kept in value', raw: 'tag=a,b', expected: { tags: ['a,b'] } },
    {
      name: 'plus decodes to space',
      raw: 'version=%3E%3D1.0.0+%3C2.0.0',
      expected: { version: '>=1.0.0 <2.0.0' },
    },
    {
      name: '%2B decodes to plus',
      raw: 'version=1.0.0%2Bbuild.1',
      expected: { version: '1.0.0+build.1' },
    },
    { name: 'first = splits name and value', raw: 'tag=a=b', expected: { tags: ['a=b'] } },
    { name: 'unicode value', raw: 'tag=%C3%A9t%C3%A9', expected: { tags: ['été'] } },
    { name: 'empty pairs skipped', raw: '&&tag=a&', expected: { tags: ['a'] } },
  ];

  for (const { name, raw, expected } of cases) {
    test(`reads ${name}`, () => {
      assert.deepEqual(parseServiceQuery(raw), { ...EMPTY_QUERY, ...expected });
    });
  }

  test('leaves version out when absent', () => {
    assert.equal(Object.hasOwn(parseServiceQuery('tag=a'), 'version'), false);
  });

  test('names every known parameter for an unknown one', () => {
    const error = statusErrorOf(() => parseServiceQuery('tags=a'));

    assert.equal(error.code, 400);
    assert.equal(error.reason, 'BadRequest');
    assert.equal(
      error.message,
      `unknown query parameter "tags"; known parameters are ${SERVICE_QUERY_PARAMETERS.join(', ')}`,
    );
  });

  test('rejects a parameter inherited from Object', () => {
    const error = statusErrorOf(() => parseServiceQuery('constructor=1&__proto__=2'));

    assert.deepEqual(
      error.details?.causes?.map((cause) => cause.field),
      ['constructor', '__proto__'],
    );
  });

  test('cuts a long value in the message', () => {
    const value = 'v'.repeat(MAX_VALUE_LENGTH + 100);
    const error = statusErrorOf(() => parseServiceQuery(`tag=${value}`));

    assert.ok(error.message.length < 200, error.message);
    assert.match(error.message, /has a value of 353 characters/);
  });
});

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
    const status = queryErrorToStatus(new QueryError('tags', 'x', 'not allowed'));

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

describe('serviceQueryCacheKey', () => {
  test('equal for equivalent query strings', () => {
    const left = parseServiceQuery('tag=b&tag=a&namespace=x&namespace=x');
    const right = parseServiceQuery('namespace=x&tag=a&tag=b');

    assert.equal(serviceQueryCacheKey(left), serviceQueryCacheKey(right));
  });

  const distinct: [string, string][] = [
    ['tag=a', 'namespace=a'],
    ['tag=a', 'tag=a&tag=b'],
    ['tag=a,b', 'tag=a&tag=b'],
    ['version=1.0.0', ''],
    ['version=%5E1', 'version=%5E1.0'],
  ];
  for (const [left, right] of distinct) {
    test(`differs for ${left} and ${right || 'no parameter'}`, () => {
      assert.notEqual(
        serviceQueryCacheKey(parseServiceQuery(left)),
        serviceQueryCacheKey(parseServiceQuery(right)),
      );
    });
  }
});
