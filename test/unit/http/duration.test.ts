import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { parseDurationMs } from '../../../src/http/duration.ts';

describe('parseDurationMs', () => {
  const valid: ReadonlyArray<readonly [string, number]> = [
    ['1500ms', 1500],
    ['30s', 30_000],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['1m30s', 90_000],
    ['1.5s', 1500],
    ['.5s', 500],
    ['0s', 0],
    ['1s500ms', 1500],
  ];

  for (const [text, expected] of valid) {
    test(`${text} is ${expected} ms`, () => {
      assert.equal(parseDurationMs(text), expected);
    });
  }

  for (const text of ['', '30', 's', '1d', '-1s', '+1s', '1 s', '1S', '1.2.3s', 'ms1', '1e3ms']) {
    test(`rejects ${JSON.stringify(text)}`, () => {
      assert.equal(parseDurationMs(text), undefined);
    });
  }
});
