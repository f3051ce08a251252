import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  decodeContinueToken,
  encodeContinueToken,
  queryFingerprint,
} from '../../../src/http/continue-token.ts';

const TOKEN = { after: '["name","a","b é"]', resourceVersion: '123', fingerprint: 'abc' };

function encodeFields(fields: unknown): string {
  return Buffer.from(JSON.stringify(fields)).toString('base64url');
}

describe('continue token', () => {
  test('round-trips its fields', () => {
    const text = encodeContinueToken(TOKEN);

    assert.match(text, /^[A-Za-z0-9_-]+$/);
    assert.deepEqual(decodeContinueToken(text), TOKEN);
  });

  const invalid: ReadonlyArray<readonly [string, string]> = [
    ['empty', ''],
    ['not base64url', 'a+b/'],
    ['not JSON', Buffer.from('nope').toString('base64url')],
    ['an array', encodeFields(['a'])],
    ['null', encodeFields(null)],
    ['missing key', encodeFields({ rv: '1', f: 'x' })],
    ['numeric resourceVersion', encodeFields({ k: 'a', rv: 1, f: 'x' })],
    ['resourceVersion not decimal', encodeFields({ k: 'a', rv: '1a', f: 'x' })],
  ];

  for (const [name, text] of invalid) {
    test(`rejects ${name}`, () => {
      assert.equal(decodeContinueToken(text), undefined);
    });
  }

  test('fingerprints differ for different keys', () => {
    assert.equal(queryFingerprint('a'), queryFingerprint('a'));
    assert.notEqual(queryFingerprint('a'), queryFingerprint('b'));
    assert.equal(queryFingerprint('a').length, 22);
  });
});
