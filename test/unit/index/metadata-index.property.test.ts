/**
 * Property test of MetadataIndex against a brute-force model: a plain Map of the live records,
 * filtered with `compileQuery(query).matches` and sorted on every query. Value domains are small,
 * so queries hit records and upserts often replace an existing key with different values. Queries
 * cover the whole model, and every result is read page by page with random limits.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';

import fc from 'fast-check';
import { compare as compareVersions } from 'semver';

import { MetadataIndex } from '../../../src/index/metadata-index.ts';
import type { InternalSizes } from '../../../src/index/metadata-index.ts';
import type { IndexChange } from '../../../src/index/reader.ts';
import { recordKey } from '../../../src/index/record.ts';
import type { MetadataRecord } from '../../../src/index/record.ts';
import { compileQuery } from '../../../src/query/matcher.ts';
import type { ServiceQuery } from '../../../src/query/model.ts';

const NAMESPACES = ['a', 'a-b', 'B', 'shop', 'shop-eu', 'z'];
const NAMES = ['api', 'cart', 'cart-v2', 'db'];
const SERVICES = ['api', 'cart', 'db', 'search', 'web'];
const ENVIRONMENTS = ['dev', 'prod', 'qa', 'staging'];
const REGIONS = ['ap-south', 'eu-central', 'eu-west', 'us-east', 'us-west'];
const TAGS = ['alpha', 'api', 'beta', 'canary', 'critical', 'db', 'edge', 'pci', 'public', 'web'];
const ATTRIBUTE_NAMES = ['owner', 'team', 'tier', 'example.com/zone', 'constructor'];
// Numbers with signs, leading zeros and int64 overflow, a value with a space, and the empty value.
const ATTRIBUTE_VALUES = [
  '1',
  '2',
  '10',
  '007',
  '-3',
  '+4',
  '99999999999999999999',
  'payments',
  'a b',
  '',
];
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
    minor: fc.integer({ min: 0, max: 2 }),
    patch: fc.integer({ min: 0, max: 2 }),
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
    tags: fc.subarray(TAGS, { maxLength: 5 }),
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

/** A selector value: label-valid values, integers and quoted values with escapes. */
const selectorValue = fc.constantFrom(
  '1',
  '2',
  '10',
  '007',
  'payments',
  'search',
  '',
  '"a b"',
  '"-3"',
  '"x\\"y"',
);
const integerOperand = fc.constantFrom('0', '1', '2', '9', '10', '007', '"3"');
const space = fc.constantFrom('', ' ');
const selectorKey = fc.constantFrom(...ATTRIBUTE_NAMES, 'missing');

/** One requirement in selector syntax, over every operator of the grammar. */
const requirementArbitrary: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(selectorKey, space, fc.constantFrom('=', '==', '!='), space, selectorValue)
    .map((parts) => parts.join('')),
  fc
    .tuple(
      selectorKey,
      fc.constantFrom(' in ', ' notin '),
      fc.array(selectorValue, { minLength: 0, maxLength: 3 }),
    )
    .map(([key, operator, values]) => `${key}${operator}(${values.join(', ')})`),
  fc.tuple(fc.constantFrom('', '!'), selectorKey).map(([bang, key]) => `${bang}${key}`),
  fc
    .tuple(selectorKey, fc.constantFrom('>', '<'), integerOperand)
    .map(([key, operator, operand]) => `${key}${operator}${operand}`),
);

const selectorArbitrary = fc
  .array(requirementArbitrary, { minLength: 0, maxLength: 3 })
  .map((requirements) => requirements.join(', '));

const queryArbitrary: fc.Arbitrary<ServiceQuery> = fc.record({
  namespaces: valuesArbitrary(NAMESPACES),
  services: valuesArbitrary(SERVICES),
  tags: fc.record({
    all: valuesArbitrary(TAGS),
    any: valuesArbitrary(TAGS),
    none: valuesArbitrary(TAGS),
  }),
  environments: fc.record({
    in: valuesArbitrary(ENVIRONMENTS),
    notIn: valuesArbitrary(ENVIRONMENTS),
  }),
  regions: fc.record({ in: valuesArbitrary(REGIONS), notIn: valuesArbitrary(REGIONS) }),
  version: fc.option(fc.constantFrom(...RANGES), { nil: undefined, freq: 2 }),
  includePrerelease: fc.boolean(),
  selector: fc.option(selectorArbitrary, { nil: undefined, freq: 2 }),
  sort: fc.constantFrom('name' as const, 'version' as const),
});

/** A query and the page size to read it with; undefined reads one page. */
interface PagedQuery {
  readonly query: ServiceQuery;
  readonly limit: number | undefined;
}

const pagedQueryArbitrary: fc.Arbitrary<PagedQuery> = fc.record({
  query: queryArbitrary,
  limit: fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined, freq: 4 }),
});

type Operation =
  | { readonly kind: 'upsert'; readonly record: MetadataRecord }
  | { readonly kind: 'repeat'; readonly key: string }
  | { readonly kind: 'delete'; readonly key: string }
  | { readonly kind: 'query'; readonly paged: PagedQuery };

const keyArbitrary = fc
  .record({ namespace: fc.constantFrom(...NAMESPACES), name: fc.constantFrom(...NAMES) })
  .map(({ namespace, name }) => recordKey(namespace, name));

const operationArbitrary: fc.Arbitrary<Operation> = fc.oneof(
  { weight: 6, arbitrary: recordArbitrary.map((record) => ({ kind: 'upsert' as const, record })) },
  { weight: 1, arbitrary: keyArbitrary.map((key) => ({ kind: 'repeat' as const, key })) },
  { weight: 2, arbitrary: keyArbitrary.map((key) => ({ kind: 'delete' as const, key })) },
  { weight: 1, arbitrary: pagedQueryArbitrary.map((paged) => ({ kind: 'query' as const, paged })) },
);

function compareText(left: string, right: string): number {
  if (left === right) {
    return 0;
  }

  return left < right ? -1 : 1;
}

/** Filters and sorts the live records by brute force, without any index. */
function bruteForceQuery(
  records: ReadonlyMap<string, MetadataRecord>,
  query: ServiceQuery,
): MetadataRecord[] {
  const compiled = compileQuery(query);
  const matches = [...records.values()].filter((record) => compiled.matches(record));
  const byName = (left: MetadataRecord, right: MetadataRecord): number =>
    compareText(left.namespace, right.namespace) || compareText(left.name, right.name);

  // semver's compare ignores build metadata; newest first.
  return query.sort === 'name'
    ? matches.sort(byName)
    : matches.sort(
        (left, right) => compareVersions(right.version, left.version) || byName(left, right),
      );
}

/** Counts the brute-force matches per tag, environment, region and major version. */
function bruteForceFacets(matches: readonly MetadataRecord[]): Record<string, unknown> {
  const count = (values: readonly string[]): Record<string, number> => {
    const counts: Record<string, number> = {};
    for (const value of [...values].sort()) {
      counts[value] = (counts[value] ?? 0) + 1;
    }

    return counts;
  };

  return {
    total: matches.length,
    tags: count(matches.flatMap((record) => record.tags)),
    environments: count(matches.map((record) => record.environment)),
    regions: count(matches.map((record) => record.region)),
    majorVersions: count(matches.map((record) => record.version.split('.')[0] ?? '')),
  };
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

/** Reads every page of a query and checks each page's total and the concatenation. */
function checkQuery(
  index: MetadataIndex,
  model: ReadonlyMap<string, MetadataRecord>,
  { query, limit }: PagedQuery,
): void {
  const expected = bruteForceQuery(model, query).map((record) => record.key);
  const keys: string[] = [];
  let after: string | undefined;

  for (let pages = 0; pages <= model.size + 1; pages += 1) {
    const result = index.query(query, { limit, after });
    assert.equal(result.total, expected.length);
    keys.push(...result.items.map((record) => record.key));
    if (result.next === undefined) {
      break;
    }

    assert.equal(result.items.length, limit);
    after = result.next;
  }

  assert.deepEqual(keys, expected);
}

/** Applies one operation to the index and the model, checking each return value. */
function apply(
  index: MetadataIndex,
  model: Map<string, MetadataRecord>,
  changes: IndexChange[],
  operation: Operation,
): void {
  const revision = index.revision;
  const notified = changes.length;

  if (operation.kind === 'upsert') {
    const previous = model.get(operation.record.key);
    const changed = previous === undefined || !isDeepStrictEqual(previous, operation.record);
    model.set(operation.record.key, operation.record);

    assert.equal(index.upsert(operation.record, String(revision + 100)), changed);
    assert.equal(index.revision, changed ? revision + 1 : revision);
    assert.equal(changes.length, changed ? notified + 1 : notified);
    if (changed) {
      assert.deepEqual(changes.at(-1), {
        revision: revision + 1,
        resourceVersion: String(revision + 100),
        ...(previous === undefined ? {} : { before: previous }),
        after: operation.record,
      });
    }
  } else if (operation.kind === 'repeat') {
    const current = model.get(operation.key);
    if (current !== undefined) {
      const copy = { ...current, tags: [...current.tags], attributes: { ...current.attributes } };

      assert.equal(index.upsert(copy), false);
      assert.equal(index.revision, revision);
      assert.equal(changes.length, notified);
    }
  } else if (operation.kind === 'delete') {
    const previous = model.get(operation.key);
    model.delete(operation.key);

    assert.equal(index.delete(operation.key), previous !== undefined);
    assert.equal(index.revision, previous === undefined ? revision : revision + 1);
    assert.equal(changes.length, previous === undefined ? notified : notified + 1);
    if (previous !== undefined) {
      assert.deepEqual(changes.at(-1), { revision: revision + 1, before: previous });
    }
  } else {
    checkQuery(index, model, operation.paged);
  }
}

/** Runs the operations, then the final queries, and checks the index against the model. */
function checkAgainstModel(
  operations: readonly Operation[],
  finalQueries: readonly PagedQuery[],
): void {
  const index = new MetadataIndex();
  const model = new Map<string, MetadataRecord>();
  const changes: IndexChange[] = [];
  index.subscribe({ onChange: (change) => changes.push(change) });

  for (const operation of operations) {
    apply(index, model, changes, operation);
  }

  for (const paged of finalQueries) {
    checkQuery(index, model, paged);

    const matches = bruteForceQuery(model, paged.query);
    assert.deepEqual(index.facets(paged.query), bruteForceFacets(matches));
    const explanation = index.explain(paged.query);
    assert.equal(explanation.total, matches.length);
    assert.equal(explanation.steps.at(-1)?.candidates, matches.length);
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
  assert.equal(index.query(EMPTY).total, 0);
}

const EMPTY: ServiceQuery = {
  namespaces: [],
  services: [],
  tags: { all: [], any: [], none: [] },
  environments: { in: [], notIn: [] },
  regions: { in: [], notIn: [] },
  includePrerelease: false,
  sort: 'name',
};

describe('MetadataIndex property', () => {
  test('matches brute force over random writes', () => {
    const operations = fc.array(operationArbitrary, { minLength: 1, maxLength: 30, size: 'max' });
    const finalQueries = fc.array(pagedQueryArbitrary, { minLength: 1, maxLength: 3 });

    fc.assert(fc.property(operations, finalQueries, checkAgainstModel), { numRuns: 5000 });
  });
});
