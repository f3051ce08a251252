import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { MetadataIndex } from '../../../src/index/metadata-index.ts';
import { recordKey } from '../../../src/index/record.ts';
import type { MetadataRecord } from '../../../src/index/record.ts';
import { QueryError } from '../../../src/query/errors.ts';
import { serviceQuerySchema } from '../../../src/query/model.ts';
import type { ServiceQuery, ServiceQueryInput } from '../../../src/query/model.ts';

type RecordFields = Partial<Omit<MetadataRecord, 'key'>>;

/** Builds a record with defaults for every field that `fields` leaves out. */
function makeRecord(fields: RecordFields = {}): MetadataRecord {
  const namespace = fields.namespace ?? 'shop';
  const name = fields.name ?? 'cart';
  return {
    namespace,
    name,
    uid: fields.uid ?? `uid-${namespace}-${name}`,
    generation: fields.generation ?? 1,
    service: fields.service ?? name,
    version: fields.version ?? '1.0.0',
    environment: fields.environment ?? 'prod',
    region: fields.region ?? 'eu-west',
    tags: fields.tags ?? [],
    attributes: fields.attributes ?? {},
    key: recordKey(namespace, name),
  };
}

/** Builds a query with empty lists for every field that `fields` leaves out. */
function makeQuery(fields: ServiceQueryInput = {}): ServiceQuery {
  return serviceQuerySchema.parse(fields);
}

/** Runs a query and returns the keys of the result in order. */
function queryKeys(index: MetadataIndex, fields: ServiceQueryInput): string[] {
  return index.query(makeQuery(fields)).items.map((record) => record.key);
}

const ZERO_ENTRIES = {
  namespace: 0,
  service: 0,
  environment: 0,
  region: 0,
  tag: 0,
  version: 0,
  attribute: 0,
};

describe('MetadataIndex writes', () => {
  test('starts empty', () => {
    const index = new MetadataIndex();

    assert.equal(index.size, 0);
    assert.equal(index.revision, 0);
    assert.equal(index.watermark, '0');
    assert.deepEqual(index.internalSizes(), { records: 0, entries: ZERO_ENTRIES });
  });

  test('upsert stores a record', () => {
    const index = new MetadataIndex();
    const record = makeRecord({ tags: ['pci'], attributes: { team: 'payments' } });

    assert.equal(index.upsert(record), true);
    assert.equal(index.size, 1);
    assert.equal(index.revision, 1);
    assert.deepEqual(index.get('shop', 'cart'), record);
    assert.deepEqual([...index.keys()], ['shop/cart']);
  });

  test('identical upsert changes nothing', () => {
    const index = new MetadataIndex();
    index.upsert(makeRecord({ tags: ['a', 'b'], attributes: { team: 'x' } }));

    assert.equal(index.upsert(makeRecord({ tags: ['a', 'b'], attributes: { team: 'x' } })), false);
    assert.equal(index.revision, 1);
  });

  const changes: ReadonlyArray<readonly [string, RecordFields]> = [
    ['uid', { uid: 'other' }],
    ['generation', { generation: 2 }],
    ['service', { service: 'other' }],
    ['version', { version: '1.0.1' }],
    ['build metadata', { version: '1.0.0+build.2' }],
    ['environment', { environment: 'dev' }],
    ['region', { region: 'us-east' }],
    ['tags', { tags: ['a', 'c'] }],
    ['tag count', { tags: ['a'] }],
    ['attribute value', { attributes: { team: 'y' } }],
    ['attribute name', { attributes: { owner: 'x' } }],
    ['attribute count', { attributes: { team: 'x', owner: 'x' } }],
  ];

  for (const [name, fields] of changes) {
    test(`upsert with changed ${name} bumps revision`, () => {
      const index = new MetadataIndex();
      index.upsert(makeRecord({ tags: ['a', 'b'], attributes: { team: 'x' } }));

      const replacement = makeRecord({ tags: ['a', 'b'], attributes: { team: 'x' }, ...fields });
      assert.equal(index.upsert(replacement), true);
      assert.equal(index.revision, 2);
      assert.deepEqual(index.get('shop', 'cart'), replacement);
    });
  }

  test('replace drops old entries', () => {
    const index = new MetadataIndex();
    index.upsert(makeRecord({ service: 'a', tags: ['old'], attributes: { team: 'x' } }));
    index.upsert(
      makeRecord({
        service: 'b',
        version: '2.0.0',
        environment: 'dev',
        region: 'us-east',
        tags: ['new'],
        attributes: { owner: 'y' },
      }),
    );

    assert.deepEqual(queryKeys(index, { services: ['a'] }), []);
    assert.deepEqual(queryKeys(index, { tags: { all: ['old'] } }), []);
    assert.deepEqual(queryKeys(index, { version: '1.0.0' }), []);
    assert.deepEqual(queryKeys(index, { environments: { in: ['prod'] } }), []);
    assert.deepEqual(queryKeys(index, { regions: { in: ['eu-west'] } }), []);
    assert.deepEqual(queryKeys(index, { services: ['b'], tags: { all: ['new'] } }), ['shop/cart']);
    assert.deepEqual(index.internalSizes(), {
      records: 1,
      entries: {
        namespace: 1,
        service: 1,
        environment: 1,
        region: 1,
        tag: 1,
        version: 1,
        attribute: 1,
      },
    });
  });

  test('stores a copy of the record', () => {
    const index = new MetadataIndex();
    const tags = ['a'];
    const attributes: Record<string, string> = { team: 'x' };
    index.upsert(makeRecord({ tags, attributes }));

    tags.push('b');
    attributes.team = 'y';

    assert.deepEqual(index.get('shop', 'cart')?.tags, ['a']);
    assert.deepEqual(index.get('shop', 'cart')?.attributes, { team: 'x' });
    assert.deepEqual(queryKeys(index, { tags: { all: ['b'] } }), []);
    assert.ok(Object.isFrozen(index.get('shop', 'cart')));
  });

  test('rejects a key that is not namespace/name', () => {
    const index = new MetadataIndex();
    const record = { ...makeRecord(), key: 'shop-cart' };

    assert.throws(() => index.upsert(record), {
      name: 'TypeError',
      message: 'invalid record key "shop-cart": must equal namespace/name "shop/cart"',
    });
    assert.equal(index.size, 0);
    assert.equal(index.revision, 0);
  });

  test('rejects an invalid version unchanged', () => {
    const index = new MetadataIndex();
    index.upsert(makeRecord({ tags: ['a'] }));

    assert.throws(() => index.upsert(makeRecord({ version: 'v2.0.0', tags: ['b'] })), QueryError);
    assert.equal(index.revision, 1);
    assert.deepEqual(index.get('shop', 'cart')?.version, '1.0.0');
    assert.deepEqual(queryKeys(index, { tags: { all: ['a'] } }), ['shop/cart']);
    assert.equal(index.internalSizes().entries.tag, 1);
  });

  test('delete removes record and entries', () => {
    const index = new MetadataIndex();
    index.upsert(makeRecord({ tags: ['a'], attributes: { team: 'x' } }));

    assert.equal(index.delete('shop/cart'), true);
    assert.equal(index.size, 0);
    assert.equal(index.revision, 2);
    assert.equal(index.get('shop', 'cart'), undefined);
    assert.deepEqual(index.internalSizes(), { records: 0, entries: ZERO_ENTRIES });
  });

  test('delete of a missing key', () => {
    const index = new MetadataIndex();
    index.upsert(makeRecord());

    assert.equal(index.delete('shop/other'), false);
    assert.equal(index.revision, 1);
    assert.equal(index.size, 1);
  });

  test('shared values survive one delete', () => {
    const index = new MetadataIndex();
    const attributes = { team: 'x' };
    index.upsert(makeRecord({ name: 'a', service: 's', tags: ['t'], attributes }));
    index.upsert(makeRecord({ name: 'b', service: 's', tags: ['t'], attributes }));

    index.delete('shop/a');

    assert.deepEqual(
      queryKeys(index, { services: ['s'], tags: { all: ['t'] }, version: '1.0.0' }),
      ['shop/b'],
    );
    assert.deepEqual(index.internalSizes().entries, {
      namespace: 1,
      service: 1,
      environment: 1,
      region: 1,
      tag: 1,
      version: 1,
      attribute: 1,
    });

    index.delete('shop/b');
    assert.deepEqual(index.internalSizes(), { records: 0, entries: ZERO_ENTRIES });
  });
});

describe('MetadataIndex namespaces', () => {
  test('lists namespaces that hold records', () => {
    const index = new MetadataIndex();
    index.upsert(makeRecord({ namespace: 'shop', name: 'a' }));
    index.upsert(makeRecord({ namespace: 'shop', name: 'b' }));
    index.upsert(makeRecord({ namespace: 'pay', name: 'a' }));

    assert.deepEqual([...index.namespaces()].sort(), ['pay', 'shop']);
  });

  test('drops a namespace with its last record', () => {
    const index = new MetadataIndex();
    index.upsert(makeRecord({ namespace: 'shop', name: 'a' }));
    index.upsert(makeRecord({ namespace: 'pay', name: 'a' }));

    index.delete('pay/a');

    assert.deepEqual([...index.namespaces()], ['shop']);
  });
});

describe('MetadataIndex watermark', () => {
  const sequences: ReadonlyArray<readonly [readonly string[], string]> = [
    [['100'], '100'],
    [['100', '99'], '100'],
    [['100', '100'], '100'],
    [['100', '99999999999999999999'], '99999999999999999999'],
    [['99999999999999999999', '100'], '99999999999999999999'],
    [['9', '10'], '10'],
    [['007'], '7'],
    [['0'], '0'],
  ];

  for (const [values, expected] of sequences) {
    test(`advances through ${values.join(', ')}`, () => {
      const index = new MetadataIndex();
      for (const value of values) {
        index.advanceWatermark(value);
      }

      assert.equal(index.watermark, expected);
    });
  }

  const invalid = ['', '-1', '1.5', '12a', ' 12', '0x10', '1e5'];

  for (const value of invalid) {
    test(`rejects ${JSON.stringify(value)}`, () => {
      const index = new MetadataIndex();
      index.advanceWatermark('5');

      assert.throws(() => index.advanceWatermark(value), {
        name: 'TypeError',
        message: `invalid resourceVersion ${JSON.stringify(value)}: must be a decimal integer`,
      });
      assert.equal(index.watermark, '5');
    });
  }

  test('leaves the revision alone', () => {
    const index = new MetadataIndex();
    index.advanceWatermark('42');

    assert.equal(index.revision, 0);
  });
});
