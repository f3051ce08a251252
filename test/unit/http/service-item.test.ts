import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { serializeItems, toServiceItem } from '../../../src/http/service-item.ts';
import { makeRecord } from './server-fixture.ts';

describe('toServiceItem', () => {
  test('copies the client fields without key', () => {
    const item = toServiceItem(
      makeRecord({ namespace: 'n', name: 'x', service: 's', version: '1.2.3+b', generation: 4 }),
    );

    assert.deepEqual(Object.keys(item), [
      'namespace',
      'name',
      'uid',
      'generation',
      'service',
      'version',
      'environment',
      'region',
      'tags',
      'attributes',
    ]);
    assert.equal(item.generation, 4);
    assert.equal(item.version, '1.2.3+b');
  });

  test('sorts tags and attribute keys', () => {
    const record = {
      ...makeRecord({ namespace: 'n', name: 'x' }),
      tags: ['b', 'a', 'b'],
      attributes: { zone: '1', app: '2', Team: '3' },
    };
    const item = toServiceItem(record);

    assert.deepEqual(item.tags, ['a', 'b']);
    assert.deepEqual(Object.keys(item.attributes), ['Team', 'app', 'zone']);
  });

  test('keeps a __proto__ attribute as data', () => {
    const attributes = JSON.parse('{"__proto__":"x"}') as Record<string, string>;
    const item = toServiceItem({ ...makeRecord({ namespace: 'n', name: 'x' }), attributes });

    assert.equal(JSON.stringify(item.attributes), '{"__proto__":"x"}');
  });
});

describe('serializeItems', () => {
  test('orders by namespace then name', () => {
    const records = [
      makeRecord({ namespace: 'a-b', name: 'x' }),
      makeRecord({ namespace: 'a', name: 'z' }),
      makeRecord({ namespace: 'a', name: 'y' }),
      makeRecord({ namespace: 'B', name: 'x' }),
    ];
    const items = JSON.parse(serializeItems(records)) as { namespace: string; name: string }[];

    assert.deepEqual(
      items.map((item) => `${item.namespace}/${item.name}`),
      ['B/x', 'a/y', 'a/z', 'a-b/x'],
    );
  });

  test('leaves the input order unchanged', () => {
    const records = [
      makeRecord({ namespace: 'b', name: 'x' }),
      makeRecord({ namespace: 'a', name: 'x' }),
    ];
    serializeItems(records);

    assert.equal(records[0]?.namespace, 'b');
  });
});
