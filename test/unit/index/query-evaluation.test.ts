import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { AttributeIndex } from '../../../src/index/attribute-index.ts';
import { QueryEvaluation } from '../../../src/index/query-evaluation.ts';
import type { IndexedSets } from '../../../src/index/query-evaluation.ts';
import { recordKey } from '../../../src/index/record.ts';
import type { MetadataRecord } from '../../../src/index/record.ts';
import { ValueIndex } from '../../../src/index/value-index.ts';
import { VersionIndex } from '../../../src/index/version-index.ts';
import { compileQuery } from '../../../src/query/matcher.ts';
import { serviceQuerySchema } from '../../../src/query/model.ts';
import type { ServiceQueryInput } from '../../../src/query/model.ts';
import type { SetDimension } from '../../../src/query/condition.ts';

/** A records map that counts look-ups and fails a test that iterates over all records. */
class CountingRecords extends Map<string, MetadataRecord> {
  lookups = 0;
  scans = 0;

  override get(key: string): MetadataRecord | undefined {
    this.lookups += 1;
    return super.get(key);
  }

  override values(): MapIterator<MetadataRecord> {
    this.scans += 1;
    return super.values();
  }
}

/** Builds the stores of an index over `records`, as MetadataIndex keeps them. */
function buildSets(records: readonly MetadataRecord[]): IndexedSets & { records: CountingRecords } {
  const map = new CountingRecords();
  const indexes: Record<SetDimension | 'tag', ValueIndex> = {
    namespace: new ValueIndex(),
    service: new ValueIndex(),
    environment: new ValueIndex(),
    region: new ValueIndex(),
    tag: new ValueIndex(),
  };
  const versions = new VersionIndex();
  const attributes = new AttributeIndex();

  for (const record of records) {
    map.set(record.key, record);
    indexes.namespace.add(record.namespace, record.key);
    indexes.service.add(record.service, record.key);
    indexes.environment.add(record.environment, record.key);
    indexes.region.add(record.region, record.key);
    versions.add(record.version, versions.parse(record.version), record.key);
    attributes.add(record.attributes, record.key);
    for (const tag of record.tags) {
      indexes.tag.add(tag, record.key);
    }
  }

  return { records: map, versions, attributes, valueIndex: (dimension) => indexes[dimension] };
}

function makeRecord(index: number): MetadataRecord {
  const namespace = `ns-${index % 100}`;
  const name = `svc-${index}`;
  return {
    key: recordKey(namespace, name),
    namespace,
    name,
    uid: `uid-${index}`,
    generation: 1,
    service: `service-${index % 1000}`,
    version: `${index % 5}.${index % 7}.0`,
    environment: index % 2 === 0 ? 'prod' : 'dev',
    region: `region-${index % 4}`,
    tags: index % 10_000 === 0 ? ['rare', 'common'] : ['common'],
    attributes: { team: `team-${index % 50}`, replicas: String(index % 9) },
  };
}

function evaluate(sets: IndexedSets, input: ServiceQueryInput): QueryEvaluation {
  return new QueryEvaluation(sets, compileQuery(serviceQuerySchema.parse(input)));
}

describe('QueryEvaluation on 100,000 records', () => {
  const records = Array.from({ length: 100_000 }, (_, index) => makeRecord(index));
  const sets = buildSets(records);

  const selective: ReadonlyArray<readonly [string, ServiceQueryInput, number]> = [
    ['one rare tag', { tags: { all: ['rare'], none: ['gone'] } }, 10],
    ['one service', { services: ['service-7'], environments: { notIn: ['prod'] } }, 100],
    [
      'one attribute value',
      { selector: 'team=team-3,replicas>4', tags: { all: ['common'] } },
      2000,
    ],
    ['a version', { version: '=4.6.0', regions: { in: ['region-1'] } }, 2857],
  ];

  for (const [name, input, candidates] of selective) {
    test(`${name} looks up only its candidates`, () => {
      sets.records.lookups = 0;
      sets.records.scans = 0;
      const evaluation = evaluate(sets, input);

      const matches = evaluation.matches();
      const expected = records.filter((record) =>
        compileQuery(serviceQuerySchema.parse(input)).matches(record),
      );

      assert.equal(sets.records.scans, 0);
      assert.equal(sets.records.lookups, candidates);
      assert.equal(evaluation.candidateEstimate, candidates);
      assert.deepEqual(new Set(matches), new Set(expected));
    });
  }

  test('a query with one zero-count step looks up nothing', () => {
    sets.records.lookups = 0;

    const matches = evaluate(sets, { tags: { all: ['common', 'missing'] } }).matches();

    assert.deepEqual(matches, []);
    assert.equal(sets.records.lookups, 0);
  });
});

describe('QueryEvaluation explain', () => {
  const records = Array.from({ length: 40 }, (_, index) => makeRecord(index));
  const sets = buildSets(records);

  test('counts candidates after each step', () => {
    const explanation = evaluate(sets, {
      environments: { in: ['prod'] },
      services: ['service-4', 'service-6', 'service-7'],
      tags: { none: ['rare'] },
      selector: 'replicas>4',
    }).explain();

    assert.deepEqual(explanation, {
      steps: [
        { condition: 'service in (service-4, service-6, service-7)', estimate: 3, candidates: 3 },
        { condition: 'environment in (prod)', estimate: 20, candidates: 2 },
        { condition: 'tag none "rare"', estimate: 39, candidates: 2 },
        { condition: 'selector replicas>4', estimate: 40, candidates: 1 },
      ],
      total: 1,
    });
  });

  test('starts from all records without an index step', () => {
    const explanation = evaluate(sets, { regions: { notIn: ['region-0'] } }).explain();

    assert.deepEqual(explanation.steps, [
      { condition: 'all records', estimate: 40, candidates: 40 },
      { condition: 'region notin (region-0)', estimate: 30, candidates: 30 },
    ]);
    assert.equal(explanation.total, 30);
  });

  test('counts a tag union once per record', () => {
    const explanation = evaluate(sets, { tags: { any: ['rare', 'common'] } }).explain();

    assert.deepEqual(explanation.steps, [
      { condition: 'tag any (rare, common)', estimate: 41, candidates: 40 },
    ]);
  });

  test('estimates attribute conditions from the attribute index', () => {
    const explanation = evaluate(sets, {
      selector: 'team in (team-1,team-2), !replicas',
    }).explain();

    assert.deepEqual(explanation.steps, [
      { condition: 'selector team in (team-1,team-2)', estimate: 2, candidates: 2 },
      { condition: 'selector !replicas', estimate: 0, candidates: 0 },
    ]);
  });
});
