import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { encodeContinueToken, queryFingerprint } from '../../../src/http/continue-token.ts';
import { MAX_VALUE_LENGTH } from '../../../src/http/query-parameters.ts';
import {
  DEFAULT_LIMIT,
  FACETS_PARAMETERS,
  MAX_LIMIT,
  parseFacetsRequest,
  parseListRequest,
  SERVICE_QUERY_PARAMETERS,
  serviceQueryCacheKey,
} from '../../../src/http/service-query-parameters.ts';
import { StatusError } from '../../../src/http/status.ts';
import type { StatusCause } from '../../../src/http/status.ts';
import { serviceQuerySchema } from '../../../src/query/model.ts';
import type { ServiceQuery, ServiceQueryInput } from '../../../src/query/model.ts';
import { MAX_SELECTOR_LENGTH } from '../../../src/query/selector.ts';

function query(input: ServiceQueryInput = {}): ServiceQuery {
  return serviceQuerySchema.parse(input);
}

/** Returns the causes of the 400 that `run` throws, failing when it throws nothing else. */
function causesOf(run: () => unknown): readonly StatusCause[] {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof StatusError, `expected a StatusError, got ${String(error)}`);
    assert.equal(error.code, 400);
    return error.details?.causes ?? [];
  }

  assert.fail('expected a StatusError, but nothing was thrown');
}

/** Builds a continue token for the query of `raw`. */
function tokenFor(raw: string, after = '["name","a","b"]', resourceVersion = '7'): string {
  const fingerprint = queryFingerprint(serviceQueryCacheKey(parseListRequest(raw).query));
  return encodeContinueToken({ after, resourceVersion, fingerprint });
}

describe('parseListRequest query', () => {
  const cases: ReadonlyArray<readonly [string, string, ServiceQueryInput]> = [
    ['empty query string', '', {}],
    [
      'each list parameter',
      'namespace=n&service=s&tag=t&anyTag=a&notTag=x&environment=e&notEnvironment=f' +
        '&region=r&notRegion=q',
      {
        namespaces: ['n'],
        services: ['s'],
        tags: { all: ['t'], any: ['a'], none: ['x'] },
        environments: { in: ['e'], notIn: ['f'] },
        regions: { in: ['r'], notIn: ['q'] },
      },
    ],
    ['values sorted', 'tag=b&tag=a&tag=C', { tags: { all: ['C', 'a', 'b'] } }],
    [
      'duplicates dropped',
      'notRegion=x&notRegion=y&notRegion=x',
      { regions: { notIn: ['x', 'y'] } },
    ],
    ['comma kept in value', 'anyTag=a,b', { tags: { any: ['a,b'] } }],
    ['plus decodes to space', 'version=%3E%3D1.0.0+%3C2.0.0', { version: '>=1.0.0 <2.0.0' }],
    ['%2B decodes to plus', 'version=1.0.0%2Bbuild.1', { version: '1.0.0+build.1' }],
    ['includePrerelease true', 'includePrerelease=true', { includePrerelease: true }],
    ['includePrerelease false', 'includePrerelease=false', { includePrerelease: false }],
    ['selector', 'selector=team+in+(a,b),!x', { selector: 'team in (a,b),!x' }],
    ['quoted selector value', 'selector=owner%3D%22a%40b.io%22', { selector: 'owner="a@b.io"' }],
    ['sort by version', 'sort=version', { sort: 'version' }],
    ['sort by name', 'sort=name', { sort: 'name' }],
    ['unicode value', 'tag=%C3%A9t%C3%A9', { tags: { all: ['été'] } }],
    ['empty pairs skipped', '&&tag=a&', { tags: { all: ['a'] } }],
  ];

  for (const [name, raw, expected] of cases) {
    test(`reads ${name}`, () => {
      assert.deepEqual(parseListRequest(raw).query, query(expected));
    });
  }

  test('leaves version and selector out when absent', () => {
    const parsed = parseListRequest('tag=a').query;

    assert.equal(Object.hasOwn(parsed, 'version'), false);
    assert.equal(Object.hasOwn(parsed, 'selector'), false);
  });
});

describe('parseListRequest options', () => {
  test('defaults', () => {
    const parsed = parseListRequest('');

    assert.equal(parsed.limit, DEFAULT_LIMIT);
    assert.equal(parsed.explain, false);
    assert.equal(Object.hasOwn(parsed, 'continueToken'), false);
    assert.equal(Object.hasOwn(parsed, 'timeoutMs'), false);
  });

  const limits: ReadonlyArray<readonly [string, number]> = [
    ['1', 1],
    ['250', 250],
    [String(MAX_LIMIT), MAX_LIMIT],
    ['0007', 7],
  ];
  for (const [raw, expected] of limits) {
    test(`limit ${raw}`, () => {
      assert.equal(parseListRequest(`limit=${raw}`).limit, expected);
    });
  }

  test('explain true', () => {
    assert.equal(parseListRequest('explain=true').explain, true);
  });

  const timeouts: ReadonlyArray<readonly [string, number]> = [
    ['30s', 30_000],
    ['2m', 120_000],
    ['1500ms', 1500],
    ['1m30s', 90_000],
    ['1.5s', 1500],
    ['5m', 300_000],
    ['0.05h', 180_000],
  ];
  for (const [raw, expected] of timeouts) {
    test(`timeout ${raw}`, () => {
      assert.equal(parseListRequest(`timeout=${raw}`).timeoutMs, expected);
    });
  }

  test('continue token of the same query', () => {
    const raw = 'tag=b&tag=a&sort=version';
    const token = tokenFor('tag=a&tag=b&sort=version', '["version","1.0.0","a","b"]', '42');

    assert.deepEqual(parseListRequest(`${raw}&continue=${token}&limit=3`).continueToken, {
      after: '["version","1.0.0","a","b"]',
      resourceVersion: '42',
      fingerprint: queryFingerprint(serviceQueryCacheKey(parseListRequest(raw).query)),
    });
  });

  test('continue token with another limit', () => {
    const token = tokenFor('tag=a&limit=2');

    assert.equal(
      parseListRequest(`tag=a&limit=9&continue=${token}`).continueToken?.after,
      '["name","a","b"]',
    );
  });
});

describe('parseListRequest rejects', () => {
  const cases: ReadonlyArray<readonly [string, string, string, RegExp]> = [
    [
      'sort',
      'sort=size',
      'sort',
      /^query parameter "sort" has value "size"; supported values are name, version$/,
    ],
    [
      'includePrerelease',
      'includePrerelease=yes',
      'includePrerelease',
      /has value "yes"; it must be true or false$/,
    ],
    [
      'explain',
      'explain=1',
      'explain',
      /^query parameter "explain" has value "1"; it must be true or false$/,
    ],
    [
      'limit 0',
      'limit=0',
      'limit',
      /^query parameter "limit" has value "0"; it must be an integer from 1 to 5000$/,
    ],
    [
      'limit over maximum',
      'limit=5001',
      'limit',
      /has value "5001"; it must be an integer from 1 to 5000$/,
    ],
    ['negative limit', 'limit=-1', 'limit', /has value "-1"/],
    ['fractional limit', 'limit=1.5', 'limit', /has value "1.5"/],
    ['huge limit', 'limit=99999999999', 'limit', /has value "99999999999"/],
    [
      'timeout without unit',
      'timeout=30',
      'timeout',
      /^query parameter "timeout" has value "30"; it must be a duration above 0 and at most 5m/,
    ],
    ['timeout over 5 minutes', 'timeout=301s', 'timeout', /has value "301s"/],
    ['zero timeout', 'timeout=0s', 'timeout', /has value "0s"/],
    ['negative timeout', 'timeout=-1s', 'timeout', /has value "-1s"/],
    ['timeout unknown unit', 'timeout=1d', 'timeout', /has value "1d"/],
    ['invalid version range', 'version=%3E%3Dx', 'version', /^invalid version range ">=x": /],
    [
      'invalid selector',
      'selector=a+b',
      'selector',
      /^invalid label selector "a b": at offset 2: found "b"/,
    ],
    [
      'continue not a token',
      'continue=abc',
      'continue',
      /^query parameter "continue" has value "abc"; it is not a continue token/,
    ],
    ['continue not base64url', 'continue=a%2Bb', 'continue', /it is not a continue token/],
    [
      'version twice',
      'version=1.0.0&version=2.0.0',
      'version',
      /is given 2 times; the maximum is 1$/,
    ],
    ['selector twice', 'selector=a&selector=b', 'selector', /is given 2 times; the maximum is 1$/],
    ['empty selector', 'selector=', 'selector', /has an empty value/],
    [
      'unknown parameter',
      'tags=a',
      'tags',
      /^unknown query parameter "tags"; known parameters are /,
    ],
  ];

  for (const [name, raw, field, message] of cases) {
    test(name, () => {
      const causes = causesOf(() => parseListRequest(raw));

      assert.equal(causes.length, 1);
      assert.equal(causes[0]?.field, field);
      assert.match(causes[0]?.message ?? '', message);
    });
  }

  test('continue token of another query', () => {
    const token = tokenFor('tag=a');
    const causes = causesOf(() => parseListRequest(`tag=b&continue=${token}`));

    assert.equal(causes[0]?.field, 'continue');
    assert.match(causes[0]?.message ?? '', /the token was returned for a different query or sort/);
  });

  test('continue token of another sort', () => {
    const token = tokenFor('tag=a');
    const causes = causesOf(() => parseListRequest(`tag=a&sort=version&continue=${token}`));

    assert.match(causes[0]?.message ?? '', /different query or sort/);
  });

  test('continue token of another includePrerelease', () => {
    const token = tokenFor('version=*');
    const causes = causesOf(() =>
      parseListRequest(`version=*&includePrerelease=true&continue=${token}`),
    );

    assert.match(causes[0]?.message ?? '', /different query or sort/);
  });

  test('every invalid value in one response', () => {
    const causes = causesOf(() =>
      parseListRequest('sort=x&limit=0&timeout=9&selector=!&version=%3Cx&explain=no'),
    );

    assert.deepEqual(causes.map((cause) => cause.field).sort(), [
      'explain',
      'limit',
      'selector',
      'sort',
      'timeout',
      'version',
    ]);
  });

  test('a selector up to its own maximum length', () => {
    const selector = `a in (${'b,'.repeat(200)}b)`;
    assert.ok(selector.length > MAX_VALUE_LENGTH);

    assert.equal(
      parseListRequest(`selector=${encodeURIComponent(selector)}`).query.selector,
      selector,
    );
    assert.match(
      causesOf(() => parseListRequest(`selector=${'a'.repeat(MAX_SELECTOR_LENGTH + 1)}`))[0]
        ?.message ?? '',
      new RegExp(`the maximum is ${MAX_SELECTOR_LENGTH}$`),
    );
  });
});

describe('parseFacetsRequest', () => {
  test('reads filters and timeout', () => {
    assert.deepEqual(parseFacetsRequest('tag=a&notEnvironment=dev&timeout=2m'), {
      query: query({ tags: { all: ['a'] }, environments: { notIn: ['dev'] } }),
      timeoutMs: 120_000,
    });
  });

  for (const name of ['sort', 'limit', 'continue', 'explain']) {
    test(`rejects ${name}`, () => {
      const causes = causesOf(() => parseFacetsRequest(`${name}=x`));

      assert.equal(causes[0]?.field, name);
      assert.match(
        causes[0]?.message ?? '',
        new RegExp(`known parameters are ${FACETS_PARAMETERS.join(', ')}$`),
      );
    });
  }

  test('rejects an invalid selector', () => {
    assert.equal(causesOf(() => parseFacetsRequest('selector=%21'))[0]?.field, 'selector');
  });
});

describe('serviceQueryCacheKey', () => {
  test('equal for equivalent query strings', () => {
    const left = parseListRequest('tag=b&tag=a&namespace=x&namespace=x').query;
    const right = parseListRequest('namespace=x&tag=a&tag=b').query;

    assert.equal(serviceQueryCacheKey(left), serviceQueryCacheKey(right));
  });

  const distinct: [string, string][] = [
    ['tag=a', 'namespace=a'],
    ['tag=a', 'anyTag=a'],
    ['tag=a', 'notTag=a'],
    ['environment=a', 'notEnvironment=a'],
    ['region=a', 'notRegion=a'],
    ['tag=a', 'tag=a&tag=b'],
    ['tag=a,b', 'tag=a&tag=b'],
    ['version=1.0.0', ''],
    ['version=%5E1', 'version=%5E1.0'],
    ['version=*', 'version=*&includePrerelease=true'],
    ['selector=a', ''],
    ['', 'sort=version'],
  ];
  for (const [left, right] of distinct) {
    test(`differs for ${left || 'no parameter'} and ${right || 'no parameter'}`, () => {
      assert.notEqual(
        serviceQueryCacheKey(parseListRequest(left).query),
        serviceQueryCacheKey(parseListRequest(right).query),
      );
    });
  }

  test('lists every parameter of the list route', () => {
    assert.deepEqual(SERVICE_QUERY_PARAMETERS, [
      'anyTag',
      'continue',
      'environment',
      'explain',
      'includePrerelease',
      'limit',
      'minResourceVersion',
      'namespace',
      'notEnvironment',
      'notRegion',
      'notTag',
      'region',
      'selector',
      'service',
      'sort',
      'tag',
      'timeout',
      'version',
      'waitForChange',
      'watch',
    ]);
  });
});
