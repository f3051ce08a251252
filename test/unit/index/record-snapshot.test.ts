import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { sameRecord, snapshotRecord } from '../../../src/index/record-snapshot.ts';
import type { MetadataRecord } from '../../../src/index/record.ts';

const BASE: MetadataRecord = {
  key: 'shop/cart',
  namespace: 'shop',
  name: 'cart',
  uid: 'uid-1',
  generation: 3,
  service: 'cart',
  version: '1.2.3+build.5',
  environment: 'prod',
  region: 'eu-west',
  tags: ['pci', 'web'],
  attributes: { team: 'payments', tier: '1' },
};

describe('snapshotRecord', () => {
  test('copies every field', () => {
    assert.deepEqual(snapshotRecord(BASE), BASE);
  });

  test('freezes record, tags and attributes', () => {
    const snapshot = snapshotRecord(BASE);

    assert.ok(Object.isFrozen(snapshot));
    assert.ok(Object.isFrozen(snapshot.tags));
    assert.ok(Object.isFrozen(snapshot.attributes));
    assert.notEqual(snapshot.tags, BASE.tags);
    assert.notEqual(snapshot.attributes, BASE.attributes);
  });
});

describe('sameRecord', () => {
  test('equal copies', () => {
    const copy = { ...BASE, tags: [...BASE.tags], attributes: { ...BASE.attributes } };

    assert.equal(sameRecord(BASE, copy), true);
  });

  test('attribute order ignored', () => {
    assert.equal(sameRecord(BASE, { ...BASE, attributes: { tier: '1', team: 'payments' } }), true);
  });

  const differences: ReadonlyArray<readonly [string, Partial<MetadataRecord>]> = [
    ['key', { key: 'shop/other' }],
    ['namespace', { namespace: 'other' }],
    ['name', { name: 'other' }],
    ['uid', { uid: 'uid-2' }],
    ['generation', { generation: 4 }],
    ['service', { service: 'other' }],
    ['version', { version: '1.2.3' }],
    ['environment', { environment: 'dev' }],
    ['region', { region: 'us-east' }],
    ['tag value', { tags: ['pci', 'api'] }],
    ['tag order', { tags: ['web', 'pci'] }],
    ['tag count', { tags: ['pci'] }],
    ['attribute value', { attributes: { team: 'payments', tier: '2' } }],
    ['attribute name', { attributes: { team: 'payments', rank: '1' } }],
    ['attribute count', { attributes: { team: 'payments' } }],
  ];

  for (const [name, change] of differences) {
    test(`differs in ${name}`, () => {
      assert.equal(sameRecord(BASE, { ...BASE, ...change }), false);
      assert.equal(sameRecord({ ...BASE, ...change }, BASE), false);
    });
  }
});
