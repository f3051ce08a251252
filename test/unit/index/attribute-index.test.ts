import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { AttributeIndex } from '../../../src/index/attribute-index.ts';

describe('AttributeIndex', () => {
  test('finds keys by name and value', () => {
    const index = new AttributeIndex();
    index.add({ team: 'payments', tier: '1' }, 'a/x');
    index.add({ team: 'payments' }, 'b/y');

    assert.equal(index.size, 2);
    assert.deepEqual([...(index.keysOf('team', 'payments') ?? [])], ['a/x', 'b/y']);
    assert.deepEqual([...(index.keysOf('tier', '1') ?? [])], ['a/x']);
    assert.equal(index.keysOf('tier', '2'), undefined);
    assert.equal(index.keysOf('owner', '1'), undefined);
  });

  test('drops names left without values', () => {
    const index = new AttributeIndex();
    index.add({ team: 'payments', tier: '1' }, 'a/x');
    index.add({ team: 'search' }, 'b/y');

    index.remove({ team: 'payments', tier: '1' }, 'a/x');
    assert.equal(index.size, 1);
    assert.equal(index.keysOf('team', 'payments'), undefined);

    index.remove({ team: 'search' }, 'b/y');
    assert.equal(index.size, 0);
  });

  test('stores a __proto__ name like any other', () => {
    const index = new AttributeIndex();
    const attributes = JSON.parse('{"__proto__": "x"}') as Record<string, string>;

    index.add(attributes, 'a/x');
    assert.deepEqual([...(index.keysOf('__proto__', 'x') ?? [])], ['a/x']);

    index.remove(attributes, 'a/x');
    assert.equal(index.size, 0);
  });
});
