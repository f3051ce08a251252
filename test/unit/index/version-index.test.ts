import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { VersionIndex } from '../../../src/index/version-index.ts';
import { QueryError } from '../../../src/query/errors.ts';
import { parseVersionRange } from '../../../src/query/version.ts';

/** Builds an index from pairs of display version and key. */
function buildIndex(entries: ReadonlyArray<readonly [string, string]>): VersionIndex {
  const index = new VersionIndex();
  for (const [display, key] of entries) {
    index.add(display, index.parse(display), key);
  }

  return index;
}

const ENTRIES: ReadonlyArray<readonly [string, string]> = [
  ['1.2.3', 'a/one'],
  ['1.2.3', 'a/two'],
  ['1.2.3+build.5', 'b/one'],
  ['2.0.0-rc.1', 'c/one'],
  ['2.1.0', 'd/one'],
];

describe('VersionIndex', () => {
  test('counts distinct display versions', () => {
    assert.equal(buildIndex(ENTRIES).size, 4);
  });

  const matches: ReadonlyArray<readonly [string, readonly string[], number]> = [
    ['=1.2.3', ['1.2.3', '1.2.3+build.5'], 3],
    ['>=2.0.0', ['2.1.0'], 1],
    ['>=2.0.0-rc.0', ['2.0.0-rc.1', '2.1.0'], 2],
    ['<1.0.0', [], 0],
  ];

  for (const [range, versions, count] of matches) {
    test(`match ${range}`, () => {
      const match = buildIndex(ENTRIES).match(parseVersionRange(range));

      assert.deepEqual([...match.versions].sort(), versions);
      assert.equal(match.count, count);
      assert.equal(
        match.keySets.reduce((sum, keys) => sum + keys.size, 0),
        count,
      );
    });
  }

  test('tests each distinct version once', () => {
    const index = buildIndex(ENTRIES);
    const range = parseVersionRange('>=1.0.0');
    const tested: unknown[] = [];
    const originalTest = range.test.bind(range);
    range.test = (version) => {
      tested.push(version);
      return originalTest(version);
    };

    index.match(range);

    assert.equal(tested.length, 4);
  });

  test('reuses the parsed version', () => {
    const index = buildIndex(ENTRIES);

    assert.equal(index.parse('1.2.3'), index.parse('1.2.3'));
  });

  test('rejects an invalid version', () => {
    assert.throws(() => new VersionIndex().parse('v1.2.3'), QueryError);
  });

  test('drops a version with its last key', () => {
    const index = buildIndex(ENTRIES);

    index.remove('1.2.3', 'a/one');
    assert.equal(index.size, 4);

    index.remove('1.2.3', 'a/two');
    assert.equal(index.size, 3);
    assert.equal(index.match(parseVersionRange('=1.2.3')).count, 1);
  });

  test('removing unknown entries is harmless', () => {
    const index = buildIndex(ENTRIES);

    index.remove('9.9.9', 'a/one');
    index.remove('1.2.3', 'z/none');

    assert.equal(index.size, 4);
    assert.equal(index.match(parseVersionRange('*')).count, 4);
  });
});
