import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  MAX_AUTHORIZATION_LENGTH,
  parseBearerToken,
} from '../../../../src/controller/auth/bearer-token.ts';

describe('parseBearerToken', () => {
  const accepted: ReadonlyArray<readonly [string, string]> = [
    ['Bearer abc.def-ghi_jkl', 'abc.def-ghi_jkl'],
    ['bearer abc', 'abc'],
    ['BEARER  abc==', 'abc=='],
    ['Bearer a+b/c~d', 'a+b/c~d'],
  ];

  for (const [header, token] of accepted) {
    test(`accepts ${JSON.stringify(header)}`, () => {
      assert.deepEqual(parseBearerToken(header), { token });
    });
  }

  const rejected: ReadonlyArray<readonly [string, string | undefined, RegExp]> = [
    ['absent', undefined, /^missing Authorization header/],
    ['empty', '', /^missing Authorization header/],
    ['basic scheme', 'Basic dXNlcjpwYXNz', /the scheme must be Bearer$/],
    ['scheme alone', 'Bearer', /the scheme must be Bearer$/],
    ['empty token', 'Bearer ', /token is empty or malformed$/],
    ['token with a space', 'Bearer abc def', /token is empty or malformed$/],
    ['padding inside', 'Bearer ab=c', /token is empty or malformed$/],
    ['overlong', `Bearer ${'a'.repeat(MAX_AUTHORIZATION_LENGTH)}`, /over the limit of 16384$/],
  ];

  for (const [name, header, reason] of rejected) {
    test(`rejects ${name}`, () => {
      const result = parseBearerToken(header);
      assert.ok('reason' in result, 'expected a rejection');
      assert.match(result.reason, reason);
    });
  }

  test('rejection never repeats the token', () => {
    const result = parseBearerToken('Bearer secret value');
    assert.ok('reason' in result);
    assert.equal(result.reason.includes('secret'), false);
  });
});
