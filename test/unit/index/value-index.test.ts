import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { ValueIndex } from '../../../src/index/value-index.ts';

describe('ValueIndex', () => {
  test('groups keys by value', () => {
    const index = new ValueIndex();
    index.add('prod', 'a/x');
    index.add('prod', 'b/y');
    index.add('dev', 'a/z');

    assert.equal(index.size, 2);
    assert.deepEqual([...(index.keysOf('prod') ?? [])], ['a/x', 'b/y']);
    assert.deepEqual([...(index.keysOf('dev') ?? [])], ['a/z']);
    assert.equal(index.keysOf('staging'), undefined);
  });

  test('adding a key twice keeps one', () => {
    const index = new ValueIndex();
    index.add('prod', 'a/x');
    index.add('prod', 'a/x');

    assert.equal(index.keysOf('prod')?.size, 1);
  });

  test('removing the last key drops the value', () => {
    const index = new ValueIndex();
    index.add('prod', 'a/x');
    index.add('prod', 'b/y');

    index.remove('prod', 'a/x');
    assert.equal(index.size, 1);

    index.remove('prod', 'b/y');
    assert.equal(index.size, 0);
    assert.equal(index.keysOf('prod'), undefined);
  });

  test('removing unknown entries is harmless', () => {
    const index = new ValueIndex();
    index.add('prod', 'a/x');

    index.remove('dev', 'a/x');
    index.remove('prod', 'b/y');

    assert.equal(index.size, 1);
    assert.deepEqual([...(index.keysOf('prod') ?? [])], ['a/x']);
  });

  const counts: ReadonlyArray<readonly [readonly string[], number]> = [
    [[], 0],
    [['prod'], 2],
    [['prod', 'dev'], 3],
    [['prod', 'missing'], 2],
    [['prod', 'prod'], 4],
  ];

  for (const [values, expected] of counts) {
    test(`countOf ${JSON.stringify(values)}`, () => {
      const index = new ValueIndex();
      index.add('prod', 'a/x');
      index.add('prod', 'b/y');
      index.add('dev', 'a/z');

      assert.equal(index.countOf(values), expected);
    });
  }
});
