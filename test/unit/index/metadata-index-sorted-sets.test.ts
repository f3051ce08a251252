import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { MetadataIndex } from '../../../src/index/metadata-index.ts';
import { recordKey } from '../../../src/index/record.ts';
import type { MetadataRecord } from '../../../src/index/record.ts';
import { serviceQuerySchema } from '../../../src/query/model.ts';
import type { ServiceQueryInput } from '../../../src/query/model.ts';

function record(name: string, environment: string, version = '1.0.0'): MetadataRecord {
  return {
    key: recordKey('shop', name),
    namespace: 'shop',
    name,
    uid: `uid-${name}`,
    generation: 1,
    service: name,
    version,
    environment,
    region: 'eu-west',
    tags: ['web'],
    attributes: { tier: 'frontend' },
  };
}

function names(index: MetadataIndex, input: ServiceQueryInput): string[] {
  return index.query(serviceQuerySchema.parse(input)).items.map((item) => item.name);
}

/** Single-set queries, whose sorted matches the index keeps until the next write. */
const SINGLE_SET_QUERIES: readonly { label: string; input: ServiceQueryInput }[] = [
  { label: 'one environment', input: { environments: { in: ['prod'] } } },
  { label: 'one tag', input: { tags: { all: ['web'] } } },
  { label: 'one attribute value', input: { selector: 'tier=frontend' } },
  {
    label: 'one environment by version',
    input: { environments: { in: ['prod'] }, sort: 'version' },
  },
];

describe('MetadataIndex sorted single-set results', () => {
  for (const { label, input } of SINGLE_SET_QUERIES) {
    test(`${label} sees an added record`, () => {
      const index = new MetadataIndex();
      index.upsert(record('cart', 'prod'));
      assert.deepEqual(names(index, input), ['cart']);

      index.upsert(record('api', 'prod', '2.0.0'));

      assert.deepEqual(names(index, input), ['api', 'cart']);
    });

    test(`${label} drops a deleted record`, () => {
      const index = new MetadataIndex();
      index.upsert(record('cart', 'prod'));
      index.upsert(record('api', 'prod', '2.0.0'));
      assert.equal(names(index, input).length, 2);

      index.delete(recordKey('shop', 'api'));

      assert.deepEqual(names(index, input), ['cart']);
    });
  }

  test('repeated query returns equal pages', () => {
    const index = new MetadataIndex();
    for (const name of ['d', 'b', 'a', 'c']) {
      index.upsert(record(name, 'prod'));
    }
    const query = serviceQuerySchema.parse({ environments: { in: ['prod'] } });
    const first = index.query(query, { limit: 2 });

    const second = index.query(query, { limit: 2 });

    assert.deepEqual(second, first);
  });

  test('caller changes leave cached matches intact', () => {
    const index = new MetadataIndex();
    index.upsert(record('a', 'prod'));
    index.upsert(record('b', 'prod'));
    const query = serviceQuerySchema.parse({ environments: { in: ['prod'] } });
    const items = index.query(query).items as MetadataRecord[];

    items.pop();

    assert.equal(index.query(query).total, 2);
  });

  test('replaced record shows its new version', () => {
    const index = new MetadataIndex();
    index.upsert(record('a', 'prod', '1.0.0'));
    const query = serviceQuerySchema.parse({ environments: { in: ['prod'] } });
    assert.equal(index.query(query).items[0]?.version, '1.0.0');

    index.upsert(record('a', 'prod', '1.1.0'));

    assert.equal(index.query(query).items[0]?.version, '1.1.0');
  });
});
