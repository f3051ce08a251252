import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  compareRecords,
  prefersOrderedScan,
  RecordOrder,
} from '../../../src/index/record-order.ts';
import { recordKey } from '../../../src/index/record.ts';
import type { MetadataRecord } from '../../../src/index/record.ts';

function makeRecord(namespace: string, name: string): MetadataRecord {
  return {
    key: recordKey(namespace, name),
    namespace,
    name,
    uid: 'uid',
    generation: 1,
    service: name,
    version: '1.0.0',
    environment: 'prod',
    region: 'eu',
    tags: [],
    attributes: {},
  };
}

function toMap(records: readonly MetadataRecord[]): Map<string, MetadataRecord> {
  return new Map(records.map((record) => [record.key, record]));
}

describe('compareRecords', () => {
  const cases: ReadonlyArray<readonly [string, string, string, string, number]> = [
    ['a', 'x', 'a-b', 'x', -1],
    ['a-b', 'x', 'a', 'x', 1],
    ['a', 'b', 'a', 'a', 1],
    ['a', 'a', 'a', 'b', -1],
    ['B', 'x', 'a', 'x', -1],
    ['a', 'x', 'a', 'x', 0],
    ['a', 'é', 'a', 'z', 1],
  ];

  for (const [leftNamespace, leftName, rightNamespace, rightName, expected] of cases) {
    test(`${leftNamespace}/${leftName} vs ${rightNamespace}/${rightName}`, () => {
      const left = makeRecord(leftNamespace, leftName);
      const right = makeRecord(rightNamespace, rightName);

      assert.equal(compareRecords(left, right), expected);
    });
  }
});

describe('prefersOrderedScan', () => {
  const cases: ReadonlyArray<readonly [number, number, boolean]> = [
    [0, 100, false],
    [1, 100_000, false],
    [5_000, 100_000, false],
    [8_000, 100_000, true],
    [100_000, 100_000, true],
    [1, 1, true],
    [2, 4, false],
    [3, 4, true],
  ];

  for (const [candidates, total, expected] of cases) {
    test(`${candidates} of ${total}`, () => {
      assert.equal(prefersOrderedScan(candidates, total), expected);
    });
  }
});

describe('RecordOrder', () => {
  const records = [
    makeRecord('b', 'one'),
    makeRecord('a-b', 'two'),
    makeRecord('a', 'three'),
    makeRecord('a', 'four'),
  ];
  const expected = ['a/four', 'a/three', 'a-b/two', 'b/one'];

  test('selects all in query order', () => {
    const order = new RecordOrder();

    assert.deepEqual(
      order.select(toMap(records)).map((record) => record.key),
      expected,
    );
  });

  test('selects matches in query order', () => {
    const order = new RecordOrder();

    const selected = order.select(toMap(records), (record) => record.name.startsWith('t'));

    assert.deepEqual(
      selected.map((record) => record.key),
      ['a/three', 'a-b/two'],
    );
  });

  test('returns a new array each time', () => {
    const order = new RecordOrder();
    const map = toMap(records);

    const first = order.select(map);
    first.pop();

    assert.equal(order.select(map).length, 4);
  });

  test('keeps order cached until invalidated', () => {
    const order = new RecordOrder();
    const map = toMap(records);
    order.select(map);

    map.set('0/zero', makeRecord('0', 'zero'));
    assert.equal(order.select(map).length, 4);

    order.invalidate();
    assert.equal(order.select(map)[0]?.key, '0/zero');
  });

  const replaced = ['a/four', 'a/three', 'a-b/two', 'b/one'];

  for (const key of replaced) {
    test(`replaces ${key} in place`, () => {
      const order = new RecordOrder();
      const map = toMap(records);
      order.select(map);
      const [namespace = '', name = ''] = key.split('/');

      const replacement = { ...makeRecord(namespace, name), generation: 2 };
      map.set(replacement.key, replacement);
      order.replace(replacement);

      const selected = order.select(map);
      assert.equal(selected[expected.indexOf(key)], replacement);
      assert.deepEqual(
        selected.map((record) => record.key),
        expected,
      );
    });
  }

  test('replace of an uncached record drops the cache', () => {
    const order = new RecordOrder();
    const map = toMap(records);
    order.select(map);

    const stranger = makeRecord('c', 'new');
    map.set(stranger.key, stranger);
    order.replace(stranger);

    assert.equal(order.select(map).at(-1), stranger);
  });
});
