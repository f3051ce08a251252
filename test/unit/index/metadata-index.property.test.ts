/**
 * Property test of MetadataIndex against a brute-force model: a plain Map of the live records,
 * filtered and sorted on every query. Value domains are small, so queries hit records and
 * upserts often replace an existing key with different values.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';

import fc from 'fast-check';
import { satisfies } from 'semver';

import { MetadataIndex } from '../../../src/index/metadata-index.ts';
import type { InternalSizes } from '../../../src/index/metadata-index.ts';
import { recordKey } from '../../../src/index/record.ts';
import type { MetadataRecord } from '../../../src/index/record.ts';
import type { ServiceQuery } from '../../../src/query/model.ts';

const NAMESPACES = ['a', 'a-b', 'B', 'shop', 'shop-eu', 'z'];
const NAMES = ['api', 'cart', 'cart-v2', 'db'];
const SERVICES = ['api', 'cart', 'db', 'search', 'web'];
const ENVIRONMENTS = ['dev', 'prod', 'qa', 'staging'];
const REGIONS = ['ap-south', 'eu-central', 'eu-west', 'us-east', 'us-west'];
const TAGS = [
  'alpha',
  'api',
  'beta',
  'canary',
  'critical',
  'db',
  'edge',
  'gpu',
  'internal',
  'pci',
  'public',
  'web',
];
const ATTRIBUTE_NAMES = ['owner', 'team', 'tier'];
const ATTRIBUTE_VALUES = ['1', '2', 'payments', 'search'];
const PRERELEASES = ['alpha', 'alpha.1', 'beta.2', 'rc.1', '0'];
const BUILDS = ['build.5', 'sha.abc', '001'];

// Valid ranges, with pre-release comparators so that the pre-release rule is exercised.
const RANGES = [
  '*',
  '>=1.0.0',
  '<2.0.0',
  '^1.2.0',
  '~0.3.1',
  '1.x || >=3.0.0',
  '>=1.0.0-alpha <2.0.0',
  '=1.2.3',
  '2.0.0-rc.1',
  '>=0.0.0-0',
  '1.2.3 - 2.1',
  '>1.1.1 <=3.0.0-rc.1',
  '^0.1.0-beta.2',
  '<0.0.0',
];

/** A value from the domain, or one that no record has. */
const valueOrUnknown = (domain: readonly string[]): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 9, arbitrary: fc.constantFrom(...domain) },
    { weight: 1, arbitrary: fc.constant('unknown') },
  );

const versionArbitrary = fc
  .record({
    major: fc.integer({ min: 0, max: 3 }),
    minor: fc.integer({ min: 0, max: 3 }),
    patch: fc.integer({ min: 0, max: 3 }),
    prerelease: fc.option(fc.constantFrom(...PRERELEASES)),
    build: fc.option(fc.constantFrom(...BUILDS)),
  })
  .map(({ major, minor, patch, prerelease, build }) => {
    const prereleaseSuffix = prerelease === null ? '' : `-${prerelease}`;
    const buildSuffix = build === null ? '' : `+${build}`;
    return `${major}.${minor}.${patch}${prereleaseSuffix}${buildSuffix}`;
  });

const recordArbitrary: fc.Arbitrary<MetadataRecord> = fc
  .record({
    namespace: fc.constantFrom(...NAMESPACES),
    name: fc.constantFrom(...NAMES),
    uid: fc.constantFrom('uid-1', 'uid-2'),
    generation: fc.integer({ min: 1, max: 3 }),
    service: fc.constantFrom(...SERVICES),
    version: versionArbitrary,
    environment: fc.constantFrom(...ENVIRONMENTS),
    region: fc.constantFrom(...REGIONS),
    tags: fc.subarray(TAGS, { maxLength: 6 }),
    attributes: fc.dictionary(
      fc.constantFrom(...ATTRIBUTE_NAMES),
      fc.constantFrom(...ATTRIBUTE_VALUES),
      { maxKeys: 3, noNullPrototype: true },
    ),
  })
  .map((fields) => ({ ...fields, key: recordKey(fields.namespace, fields.name) }));

/** A list of accepted values that is empty in three cases out of four, so queries often hit. */
const valuesArbitrary = (domain: readonly string[]): fc.Arbitrary<string[]> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constant<string[]>([]) },
    { weight: 1, arbitrary: fc.array(valueOrUnknown(domain), { minLength: 1, maxLength: 3 }) },
  );

const queryArbitrary: fc.Arbitrary<ServiceQuery> = fc.record({
  namespaces: valuesArbitrary(NAMESPACES),
  services: valuesArbitrary(SERVICES),
  environments: valuesArbitrary(ENVIRONMENTS),
  regions: valuesArbitrary(REGIONS),
  tags: valuesArbitrary(TAGS),
  version: fc.option(fc.constantFrom(...RANGES), { nil: undefined, freq: 2 }),
});

type Operation =
  | { readonly kind: 'upsert'; readonly record: MetadataRecord }
  | { readonly kind: 'repeat'; readonly key: string }
  | { readonly kind: 'delete'; readonly key: string }
  | { readonly kind: 'query'; readonly query: ServiceQuery };

const keyArbitrary = fc
  .record({ namespace: fc.constantFrom(...NAMESPACES), name: fc.constantFrom(...NAMES) })
  .map(({ namespace, name }) => recordKey(namespace, name));

const operationArbitrary: fc.Arbitrary<Operation> = fc.oneof(
  { weight: 5, arbitrary: recordArbitrary.map((record) => ({ kind: 'upsert' as const, record })) },
  { weight: 1, arbitrary: keyArbitrary.map((key) => ({ kind: 'repeat' as const, key })) },
  { weight: 2, arbitrary: keyArbitrary.map((key) => ({ kind: 'delete' as const, key })) },
  { weight: 2, arbitrary: queryArbitrary.map((query) => ({ kind: 'query' as const, query })) },
);

/** Filters and sorts the live records by brute force, without any index. */
function bruteForceQuery(
  records: ReadonlyMap<string, MetadataRecord>,
  query: ServiceQuery,
): string[] {
  const accepts = (values: readonly string[], value: string): boolean =>
    values.length === 0 || values.includes(value);

  const matches = [...records.values()].filter(
    (record) =>
      accepts(query.namespaces, record.namespace) &&
      accepts(query.services, record.service) &&
      accepts(query.environments, record.environment) &&
      accepts(query.regions, record.region) &&
      query.tags.every((tag) => record.tags.includes(tag)) &&
      (query.version === undefined || satisfies(record.version, query.version)),
  );

  const order = (left: string, right: string): number => {
    if (left === right) {
      return 0;
    }

    return left < right ? -1 : 1;
  };
  matches.sort(
    (left, right) => order(left.namespace, right.namespace) || order(left.name, right.name),
  );
  return matches.map((record) => record.key);
}

/** Counts the distinct values that the live records have in each indexed dimension. */
function expectedSizes(records: ReadonlyMap<string, MetadataRecord>): InternalSizes {
  const live = [...records.values()];
  const distinct = (values: readonly string[]): number => new Set(values).size;
  return {
    records: records.size,
    entries: {
      namespace: distinct(live.map((record) => record.namespace)),
      service: distinct(live.map((record) => record.service)),
      environment: distinct(live.map((record) => record.environment)),
      region: distinct(live.map((record) => record.region)),
      tag: distinct(live.flatMap((record) => record.tags)),
      version: distinct(live.map((record) => record.version)),
      attribute: distinct(live.flatMap((record) => Object.keys(record.attributes))),
    },
  };
}

/** Applies one operation to the index and the model, checking each return value. */
function apply(
  index: MetadataIndex,
  model: Map<string, MetadataRecord>,
  operation: Operation,
): void {
  const revision = index.revision;

  if (operation.kind === 'upsert') {
    const previous = model.get(operation.record.key);
    const changed = previous === undefined || !isDeepStrictEqual(previous, operation.record);
    model.set(operation.record.key, operation.record);

    assert.equal(index.upsert(operation.record), changed);
    assert.equal(index.revision, changed ? revision + 1 : revision);
  } else if (operation.kind === 'repeat') {
    const current = model.get(operation.key);
    if (current !== undefined) {
      const copy = { ...current, tags: [...current.tags], attributes: { ...current.attributes } };

      assert.equal(index.upsert(copy), false);
      assert.equal(index.revision, revision);
    }
  } else if (operation.kind === 'delete') {
    const existed = model.delete(operation.key);

    assert.equal(index.delete(operation.key), existed);
    assert.equal(index.revision, existed ? revision + 1 : revision);
  } else {
    const keys = index.query(operation.query).items.map((record) => record.key);

    assert.deepEqual(keys, bruteForceQuery(model, operation.query));
  }
}

const EMPTY_QUERY: ServiceQuery = {
  namespaces: [],
  services: [],
  environments: [],
  regions: [],
  tags: [],
};

/** Runs the operations, then the final queries, and checks the index against the model. */
function checkAgainstModel(
  operations: readonly Operation[],
  finalQueries: readonly ServiceQuery[],
): void {
  const index = new MetadataIndex();
  const model = new Map<string, MetadataRecord>();

  for (const operation of operations) {
    apply(index, model, operation);
  }

  for (const query of finalQueries) {
    apply(index, model, { kind: 'query', query });
  }

  assert.equal(index.size, model.size);
  assert.deepEqual(index.internalSizes(), expectedSizes(model));
  assert.deepEqual(new Set(index.keys()), new Set(model.keys()));
  for (const record of model.values()) {
    assert.deepEqual(index.get(record.namespace, record.name), record);
  }

  for (const key of model.keys()) {
    index.delete(key);
  }

  assert.deepEqual(index.internalSizes(), expectedSizes(new Map()));
  assert.deepEqual(index.query(EMPTY_QUERY).items, []);
}

describe('MetadataIndex property', () => {
  test('matches brute force over random writes', () => {
    const operations = fc.array(operationArbitrary, { minLength: 1, maxLength: 40, size: 'max' });
    const finalQueries = fc.array(queryArbitrary, { maxLength: 4 });

    fc.assert(fc.property(operations, finalQueries, checkAgainstModel), { numRuns: 2000 });
  });
});
