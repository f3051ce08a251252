import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ObjectStore, type StoredObject } from '../../../../src/controller/reflector/store.ts';

function object(name: string, uid: string, resourceVersion: string): StoredObject {
  return { metadata: { namespace: 'ns', name, uid, resourceVersion } };
}

describe('ObjectStore', () => {
  it('reports an add, then an update', () => {
    const store = new ObjectStore<StoredObject>();
    assert.deepEqual(
      store.upsert(object('a', 'u1', '1')).map((d) => d.type),
      ['added'],
    );
    assert.deepEqual(
      store.upsert(object('a', 'u1', '2')).map((d) => d.type),
      ['updated'],
    );
    assert.equal(store.get('ns/a')?.metadata.resourceVersion, '2');
  });

  it('reports a changed uid as delete plus add', () => {
    const store = new ObjectStore<StoredObject>();
    store.upsert(object('a', 'u1', '1'));
    const deltas = store.upsert(object('a', 'u2', '5'));
    assert.deepEqual(
      deltas.map((d) => [d.type, d.object.metadata.uid]),
      [
        ['deleted', 'u1'],
        ['added', 'u2'],
      ],
    );
  });

  it('ignores a delete of another uid', () => {
    const store = new ObjectStore<StoredObject>();
    store.upsert(object('a', 'u2', '5'));
    assert.deepEqual(store.delete(object('a', 'u1', '6')), []);
    assert.equal(store.size, 1);
  });

  it('diffs a relist against the stored objects', () => {
    const store = new ObjectStore<StoredObject>();
    store.upsert(object('same', 'u1', '1'));
    store.upsert(object('changed', 'u2', '1'));
    store.upsert(object('gone', 'u3', '1'));
    store.upsert(object('recreated', 'u4', '1'));

    const deltas = store.replace([
      object('same', 'u1', '1'),
      object('changed', 'u2', '7'),
      object('recreated', 'u5', '8'),
      object('new', 'u6', '9'),
    ]);

    const summary = deltas.map(
      (d) => `${d.type}:${d.object.metadata.name}:${d.object.metadata.uid}`,
    );
    assert.deepEqual(summary.sort(), [
      'added:new:u6',
      'added:recreated:u5',
      'deleted:gone:u3',
      'deleted:recreated:u4',
      'updated:changed:u2',
    ]);
    assert.deepEqual([...store.keys()].sort(), ['ns/changed', 'ns/new', 'ns/recreated', 'ns/same']);
  });
});
