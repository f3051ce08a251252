import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import fc from 'fast-check';

import { parseObjectRequest } from '../../../src/http/consistency-parameters.ts';
import {
  parseFacetsRequest,
  parseListRequest,
  SERVICE_QUERY_PARAMETERS,
} from '../../../src/http/service-query-parameters.ts';
import { StatusError } from '../../../src/http/status.ts';

/** Generated query strings per route parser. */
const RUNS = 2000;

/** Percent-encoding tricks: malformed, double-encoded, overlong and encoded surrogates. */
const ENCODINGS = [
  '%',
  '%z',
  '%zz',
  '%2525',
  '%25',
  '%00',
  '%C0%AF',
  '%E0%80%AF',
  '%ED%A0%80',
  '%F4%90%80%80',
  '%E0%A4%A',
  '%FF',
  '%2B',
  '+',
  '%26',
  '%3D',
  '%F0%9F%98%80',
];

const TOKENS = [
  ...SERVICE_QUERY_PARAMETERS,
  '&',
  '&&',
  '=',
  '==',
  'true',
  'false',
  '1',
  '0',
  '-1',
  '5000',
  '5001',
  '30s',
  '0ms',
  '6m',
  '>=0.0.0-0 <99999999999999999999.0.0',
  'team%3Dcore',
  'a,b',
  '',
  '__proto__',
  'constructor',
  'hasOwnProperty',
  'Tag',
  'x'.repeat(254),
  ...ENCODINGS,
];

const queryString = fc.string({
  unit: fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...TOKENS) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 1 }) },
  ),
  maxLength: 40,
});

/** Runs `parse` and checks that it returns or throws a 400 `StatusError` whose causes name fields. */
function returnsOrRejects(parse: () => unknown): void {
  try {
    parse();
  } catch (error) {
    assert.ok(error instanceof StatusError, `unexpected ${String(error)}`);
    assert.equal(error.code, 400);
    assert.ok(error.message.length > 0);
    for (const cause of error.details?.causes ?? []) {
      assert.ok(cause.field.length > 0 || cause.message.includes('""'));
      assert.ok(cause.message.length > 0);
    }
  }
}

describe('query parameter fuzz', () => {
  const parsers: ReadonlyArray<readonly [string, (raw: string) => unknown]> = [
    ['parseListRequest', parseListRequest],
    ['parseFacetsRequest', parseFacetsRequest],
    ['parseObjectRequest', parseObjectRequest],
  ];
  for (const [name, parse] of parsers) {
    test(`${name} returns or raises a 400`, () => {
      fc.assert(
        fc.property(queryString, (raw) => {
          returnsOrRejects(() => parse(raw));
        }),
        { numRuns: RUNS },
      );
    });
  }

  test('duplicated parameters return or raise a 400', () => {
    const pair = fc.tuple(fc.constantFrom(...SERVICE_QUERY_PARAMETERS), fc.constantFrom(...TOKENS));
    const repeated = fc
      .tuple(fc.array(pair, { minLength: 1, maxLength: 5 }), fc.integer({ min: 1, max: 80 }))
      .map(([pairs, count]) => {
        const text = pairs.map(([key, value]) => `${key}=${value}`).join('&');
        return Array<string>(count).fill(text).join('&');
      });
    fc.assert(
      fc.property(repeated, (raw) => {
        returnsOrRejects(() => parseListRequest(raw));
      }),
      { numRuns: RUNS / 2 },
    );
  });

  const adversarial: readonly string[] = [
    'version=%3E%3D0.0.0-0%20%3C99999999999999999999.0.0',
    'version=%3E%3D0.0.0-0%20%3C9007199254740992.0.0',
    `version=${'1.'.repeat(120)}0`,
    '=',
    '=x',
    '&=&=&',
    'tag=%',
    'tag=%zz',
    'tag=%2525',
    'tag=%C0%AF',
    'tag=%ED%A0%80',
    `selector=${'a%3D1,'.repeat(700)}a`,
    `selector=${'%22'.repeat(3000)}`,
    'selector=k%20in%20(' + 'v,'.repeat(1500) + ')',
    '__proto__=1',
    'constructor=1&toString=2',
  ];
  for (const raw of adversarial) {
    test(`adversarial ${raw.slice(0, 40)} returns or raises a 400`, () => {
      returnsOrRejects(() => parseListRequest(raw));
    });
  }
});
