import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { MetadataIndex } from '../../../src/index/metadata-index.ts';
import { recordKey } from '../../../src/index/record.ts';
import type { MetadataRecord } from '../../../src/index/record.ts';
import { QueryError } from '../../../src/query/errors.ts';
import { serviceQuerySchema } from '../../../src/query/model.ts';
import type { ServiceQuery, ServiceQueryInput } from '../../../src/query/model.ts';

/** Builds a record of the fixture: namespace, name, version, environment, region and tags. */
function fixture(
  namespace: string,
  name: string,
  version: string,
  environment: string,
  region: string,
  tags: readonly string[],
): MetadataRecord {
  return {
    key: recordKey(namespace, name),
    namespace,
    name,
    uid: `uid-${namespace}-${name}`,
    generation: 1,
    service: name,
    version,
    environment,
    region,
    tags,
    attributes: { owner: namespace },
  };
}

// Inserted out of order, so the result order comes from sorting. Namespaces `a` and `a-b` check
// that the index sorts by namespace and not by key, since `a-b/...` < `a/...` as strings.
const RECORDS: readonly MetadataRecord[] = [
  fixture('shop', 'checkout', '2.0.0-rc.1', 'prod', 'us-east', ['pci']),
  fixture('a-b', 'api', '3.1.0', 'staging', 'ap-south', []),
  fixture('shop', 'cart', '1.2.3', 'prod', 'eu-west', ['pci', 'web']),
  fixture('a', 'zeta', '1.2.3+build.5', 'dev', 'eu-west', ['web']),
  fixture('a', 'api', '2.4.0', 'prod', 'eu-west', ['pci', 'web']),
  fixture('B', 'cart', '0.9.0', 'dev', 'us-east', ['web']),
];

function buildIndex(): MetadataIndex {
  const index = new MetadataIndex();
  for (const record of RECORDS) {
    index.upsert(record);
  }

  return index;
}

function makeQuery(fields: ServiceQueryInput): ServiceQuery {
  return serviceQuerySchema.parse(fields);
}

describe('MetadataIndex query', () => {
  const cases: ReadonlyArray<readonly [string, ServiceQueryInput, readonly string[]]> = [
    [
      'no condition returns all',
      {},
      ['B/cart', 'a/api', 'a/zeta', 'a-b/api', 'shop/cart', 'shop/checkout'],
    ],
    ['one namespace', { namespaces: ['a'] }, ['a/api', 'a/zeta']],
    ['namespaces are a union', { namespaces: ['a-b', 'B'] }, ['B/cart', 'a-b/api']],
    ['unknown namespace', { namespaces: ['nope'] }, []],
    [
      'services are a union',
      { services: ['cart', 'api'] },
      ['B/cart', 'a/api', 'a-b/api', 'shop/cart'],
    ],
    ['environments', { environments: { in: ['dev', 'staging'] } }, ['B/cart', 'a/zeta', 'a-b/api']],
    ['regions', { regions: { in: ['us-east'] } }, ['B/cart', 'shop/checkout']],
    ['one tag', { tags: { all: ['pci'] } }, ['a/api', 'shop/cart', 'shop/checkout']],
    ['tags are an intersection', { tags: { all: ['pci', 'web'] } }, ['a/api', 'shop/cart']],
    ['unknown tag empties result', { tags: { all: ['web', 'gone'] } }, []],
    [
      'dimensions combine',
      { environments: { in: ['prod'] }, regions: { in: ['eu-west'] }, tags: { all: ['web'] } },
      ['a/api', 'shop/cart'],
    ],
    [
      'namespace and tag',
      { namespaces: ['shop'], tags: { all: ['pci'] } },
      ['shop/cart', 'shop/checkout'],
    ],
    ['version range', { version: '>=1.0.0 <3.0.0' }, ['a/api', 'a/zeta', 'shop/cart']],
    ['build metadata ignored', { version: '=1.2.3' }, ['a/zeta', 'shop/cart']],
    ['pre-release left out', { version: '>=2.0.0' }, ['a/api', 'a-b/api']],
    ['pre-release named', { version: '>=2.0.0-rc.0' }, ['a/api', 'a-b/api', 'shop/checkout']],
    [
      'star version excludes pre-release',
      { version: '*' },
      ['B/cart', 'a/api', 'a/zeta', 'a-b/api', 'shop/cart'],
    ],
    ['version with tag', { version: '^1.0.0', tags: { all: ['pci'] } }, ['shop/cart']],
    ['no version matches', { version: '>=9.0.0', namespaces: ['a'] }, []],
    [
      'duplicate values',
      { namespaces: ['a', 'a'], tags: { all: ['web', 'web'] } },
      ['a/api', 'a/zeta'],
    ],
  ];

  for (const [name, fields, expected] of cases) {
    test(name, () => {
      const index = buildIndex();

      const items = index.query(makeQuery(fields)).items;

      assert.deepEqual(
        items.map((record) => record.key),
        expected,
      );
    });
  }

  test('returns stored records', () => {
    const index = buildIndex();

    const [item] = index.query(makeQuery({ namespaces: ['B'] })).items;

    assert.equal(item, index.get('B', 'cart'));
  });

  test('rejects an invalid range', () => {
    const index = buildIndex();

    assert.throws(() => index.query(makeQuery({ version: '>=x' })), {
      name: 'QueryError',
      message: /^invalid version range ">=x": not a valid semver range/,
    });
    assert.throws(() => index.query(makeQuery({ version: '' })), QueryError);
  });

  test('rejects an invalid range on an empty index', () => {
    const index = new MetadataIndex();

    assert.throws(() => index.query(makeQuery({ version: 'garbage' })), QueryError);
  });

  test('reflects later writes', () => {
    const index = buildIndex();
    const all = index.query(makeQuery({})).items.length;

    index.delete('a/api');
    index.upsert(fixture('0', 'first', '1.0.0', 'prod', 'eu-west', ['web']));
    index.upsert(fixture('shop', 'cart', '1.2.3', 'dev', 'eu-west', []));

    assert.equal(index.query(makeQuery({})).items.length, all);
    assert.deepEqual(
      index.query(makeQuery({ tags: { all: ['web'] } })).items.map((record) => record.key),
      ['0/first', 'B/cart', 'a/zeta'],
    );
    assert.deepEqual(
      index.query(makeQuery({ environments: { in: ['prod'] } })).items.map((record) => record.key),
      ['0/first', 'shop/checkout'],
    );
  });

  test('sorts large results', () => {
    const index = new MetadataIndex();
    const names: string[] = [];
    for (let i = 0; i < 500; i += 1) {
      // Names come in a scrambled order, and every third record is outside the query.
      const name = `svc-${(i * 7919) % 500}`;
      index.upsert(fixture('ns', name, '1.0.0', i % 3 === 0 ? 'dev' : 'prod', 'eu', []));
      if (i % 3 !== 0) {
        names.push(`ns/${name}`);
      }
    }

    const keys = index.query(makeQuery({ environments: { in: ['prod'] } })).items.map((r) => r.key);

    assert.deepEqual(keys, names.sort());
  });
});
