import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { MetadataIndex } from '../../../src/index/metadata-index.ts';
import { recordKey } from '../../../src/index/record.ts';
import type { MetadataRecord } from '../../../src/index/record.ts';
import { QueryError } from '../../../src/query/errors.ts';
import { serviceQuerySchema } from '../../../src/query/model.ts';
import type { ServiceQuery, ServiceQueryInput } from '../../../src/query/model.ts';

function record(
  namespace: string,
  name: string,
  version: string,
  tags: string[] = [],
): MetadataRecord {
  return {
    key: recordKey(namespace, name),
    namespace,
    name,
    uid: `uid-${namespace}-${name}`,
    generation: 1,
    service: name,
    version,
    environment: namespace === 'a' ? 'prod' : 'dev',
    region: 'eu',
    tags,
    attributes: {},
  };
}

// Versions that test precedence: release above its pre-releases, numeric pre-release fields
// compared as numbers, build metadata ignored (ties broken by namespace, then name).
const RECORDS = [
  record('b', 'one', '1.10.0', ['x']),
  record('a', 'two', '1.9.0'),
  record('a-b', 'three', '2.0.0-rc.10', ['x']),
  record('a', 'four', '2.0.0-rc.9'),
  record('b', 'five', '2.0.0+build.1', ['x', 'y']),
  record('a', 'six', '2.0.0+build.2'),
  record('B', 'seven', '0.1.0'),
];

function buildIndex(): MetadataIndex {
  const index = new MetadataIndex();
  for (const item of RECORDS) {
    index.upsert(item);
  }

  return index;
}

function makeQuery(input: ServiceQueryInput = {}): ServiceQuery {
  return serviceQuerySchema.parse(input);
}

/** Reads every page of a query with `limit` items each and returns the keys of each page. */
function readPages(index: MetadataIndex, query: ServiceQuery, limit: number): string[][] {
  const pages: string[][] = [];
  let after: string | undefined;
  do {
    const result = index.query(query, { limit, after });
    pages.push(result.items.map((item) => item.key));
    after = result.next;
  } while (after !== undefined);

  return pages;
}

const BY_NAME = ['B/seven', 'a/four', 'a/six', 'a/two', 'a-b/three', 'b/five', 'b/one'];
const BY_VERSION = ['a/six', 'b/five', 'a-b/three', 'a/four', 'b/one', 'a/two', 'B/seven'];

describe('MetadataIndex sort', () => {
  test('name order by namespace then name', () => {
    const keys = buildIndex()
      .query(makeQuery())
      .items.map((item) => item.key);

    assert.deepEqual(keys, BY_NAME);
  });

  test('version order newest first', () => {
    const keys = buildIndex()
      .query(makeQuery({ sort: 'version' }))
      .items.map((item) => item.key);

    assert.deepEqual(keys, BY_VERSION);
  });

  test('version order follows a changed version', () => {
    const index = buildIndex();
    index.query(makeQuery({ sort: 'version' }));

    index.upsert(record('B', 'seven', '3.0.0'));
    index.upsert(record('a', 'six', '2.0.0+build.3'));
    const keys = index.query(makeQuery({ sort: 'version' })).items.map((item) => item.key);

    assert.deepEqual(keys, ['B/seven', ...BY_VERSION.slice(0, -1)]);
  });
});

describe('MetadataIndex pages', () => {
  for (const sort of ['name', 'version'] as const) {
    const expected = sort === 'name' ? BY_NAME : BY_VERSION;

    for (const limit of [1, 2, 3, 7, 8]) {
      test(`sort=${sort} limit=${limit} walks every item once`, () => {
        const pages = readPages(buildIndex(), makeQuery({ sort }), limit);

        assert.deepEqual(pages.flat(), expected);
        assert.equal(pages.length, Math.max(1, Math.ceil(expected.length / limit)));
      });
    }
  }

  test('total counts all matches on every page', () => {
    const index = buildIndex();
    const first = index.query(makeQuery(), { limit: 2 });
    const second = index.query(makeQuery(), { limit: 2, after: first.next });

    assert.equal(first.total, 7);
    assert.equal(second.total, 7);
  });

  test('no next on the last page', () => {
    const result = buildIndex().query(makeQuery(), { limit: 7 });

    assert.equal(result.items.length, 7);
    assert.equal(Object.hasOwn(result, 'next'), false);
  });

  test('key survives deletes and inserts between pages', () => {
    const index = buildIndex();
    const first = index.query(makeQuery(), { limit: 3 });
    assert.deepEqual(
      first.items.map((item) => item.key),
      ['B/seven', 'a/four', 'a/six'],
    );

    // The last item of the page goes away, and records appear before and after the key.
    index.delete('a/six');
    index.upsert(record('a', 'aaa', '1.0.0'));
    index.upsert(record('a', 'three', '1.0.0'));
    const rest = index.query(makeQuery(), { after: first.next });

    assert.deepEqual(
      rest.items.map((item) => item.key),
      ['a/three', 'a/two', 'a-b/three', 'b/five', 'b/one'],
    );
  });

  test('filtered query pages by version', () => {
    const pages = readPages(buildIndex(), makeQuery({ tags: { all: ['x'] }, sort: 'version' }), 2);

    assert.deepEqual(pages, [['b/five', 'a-b/three'], ['b/one']]);
  });

  const badKeys: ReadonlyArray<readonly [string, string, RegExp]> = [
    ['not JSON', 'abc', /^invalid page key "abc": not a page key returned by a query/],
    ['wrong shape', '["name","a"]', /not a page key/],
    ['not strings', '["name",1,2]', /not a page key/],
    [
      'other sort',
      '["version","1.0.0","a","b"]',
      /was returned for sort=version, but the query has sort=name/,
    ],
  ];

  for (const [name, after, message] of badKeys) {
    test(`rejects a key that is ${name}`, () => {
      assert.throws(
        () => buildIndex().query(makeQuery(), { after }),
        (error: unknown) =>
          error instanceof QueryError && error.field === 'continue' && message.test(error.message),
      );
    });
  }

  test('rejects a version key with an invalid version', () => {
    assert.throws(
      () =>
        buildIndex().query(makeQuery({ sort: 'version' }), { after: '["version","x","a","b"]' }),
      {
        name: 'QueryError',
        field: 'continue',
      },
    );
  });

  for (const limit of [0, -1, 1.5, Number.NaN]) {
    test(`rejects limit ${limit}`, () => {
      assert.throws(() => buildIndex().query(makeQuery(), { limit }), {
        name: 'QueryError',
        field: 'limit',
      });
    });
  }
});

describe('MetadataIndex facets', () => {
  test('counts the matches per value', () => {
    const facets = buildIndex().facets(makeQuery({ environments: { notIn: ['prod'] } }));

    assert.deepEqual(facets, {
      total: 4,
      tags: { x: 3, y: 1 },
      environments: { dev: 4 },
      regions: { eu: 4 },
      majorVersions: { '0': 1, '1': 1, '2': 2 },
    });
  });

  test('empty maps without matches', () => {
    const facets = buildIndex().facets(makeQuery({ namespaces: ['none'] }));

    assert.deepEqual(facets, {
      total: 0,
      tags: {},
      environments: {},
      regions: {},
      majorVersions: {},
    });
  });

  test('rejects an invalid selector', () => {
    assert.throws(() => buildIndex().facets(makeQuery({ selector: '!' })), {
      name: 'QueryError',
      field: 'selector',
    });
  });
});

describe('MetadataIndex explain', () => {
  test('ends with the total', () => {
    const explanation = buildIndex().explain(
      makeQuery({ tags: { all: ['x'] }, namespaces: ['b'] }),
    );

    assert.deepEqual(explanation, {
      steps: [
        { condition: 'namespace in (b)', estimate: 2, candidates: 2 },
        { condition: 'tag all "x"', estimate: 3, candidates: 2 },
      ],
      total: 2,
    });
  });
});
