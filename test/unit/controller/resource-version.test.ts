import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  compareResourceVersions,
  minResourceVersion,
} from '../../../src/controller/resource-version.ts';

describe('compareResourceVersions', () => {
  const cases: [string, string, number][] = [
    ['9', '10', -1],
    ['10', '9', 1],
    ['123', '123', 0],
    // Beyond 2^53 a double would call these equal; as strings '9...' would sort after '1...'.
    ['9007199254740993', '9007199254740992', 1],
    ['99999999999999999999', '100000000000000000000', -1],
  ];
  for (const [a, b, expected] of cases) {
    it(`orders ${a} against ${b}`, () => {
      assert.equal(compareResourceVersions(a, b), expected);
    });
  }

  it('rejects a resourceVersion that is not a decimal integer', () => {
    assert.throws(() => compareResourceVersions('abc', '1'), TypeError);
    assert.throws(() => compareResourceVersions('1', '-1'), TypeError);
  });
});

describe('minResourceVersion', () => {
  it('returns the oldest position', () => {
    assert.equal(minResourceVersion(['300', '1000', '99']), '99');
  });

  it('returns undefined for no positions', () => {
    assert.equal(minResourceVersion([]), undefined);
  });
});
