import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import type { ServiceQuery } from '../../../src/query/model.ts';
import { planQuery } from '../../../src/query/planner.ts';
import type { PlanStep } from '../../../src/query/planner.ts';

const EMPTY_QUERY: ServiceQuery = {
  namespaces: [],
  services: [],
  environments: [],
  regions: [],
  tags: [],
};

/** Names a step in one short string, so a plan compares as a list of names. */
function describeStep(step: PlanStep): string {
  switch (step.kind) {
    case 'tag':
      return `tag:${step.tag}`;
    case 'version':
      return `version:${step.range}`;
    default:
      return `${step.kind}:${step.values.join(',')}`;
  }
}

/** Builds an estimator from a table of step names to counts. Unknown steps count 1000. */
function estimator(counts: Readonly<Record<string, number>>): (step: PlanStep) => number {
  return (step) => counts[describeStep(step)] ?? 1000;
}

describe('planQuery', () => {
  test('no steps without conditions', () => {
    const plan = planQuery(EMPTY_QUERY, () => assert.fail('estimator must not be called'));

    assert.deepEqual(plan.steps, []);
  });

  const cases: ReadonlyArray<{
    readonly name: string;
    readonly query: Partial<ServiceQuery>;
    readonly counts: Readonly<Record<string, number>>;
    readonly expected: readonly string[];
  }> = [
    {
      name: 'smallest set first',
      query: { namespaces: ['a', 'b'], environments: ['prod'], tags: ['pci'] },
      counts: { 'namespace:a,b': 40, 'environment:prod': 500, 'tag:pci': 3 },
      expected: ['tag:pci', 'namespace:a,b', 'environment:prod'],
    },
    {
      name: 'version step ordered by count',
      query: { services: ['api'], version: '^1.0.0' },
      counts: { 'service:api': 20, 'version:^1.0.0': 2 },
      expected: ['version:^1.0.0', 'service:api'],
    },
    {
      name: 'one step per tag',
      query: { tags: ['a', 'b', 'c'] },
      counts: { 'tag:a': 9, 'tag:b': 1, 'tag:c': 5 },
      expected: ['tag:b', 'tag:c', 'tag:a'],
    },
    {
      name: 'ties keep the listed order',
      query: { regions: ['eu'], namespaces: ['x'], tags: ['t'], services: ['s'], version: '*' },
      counts: {},
      expected: ['namespace:x', 'service:s', 'region:eu', 'tag:t', 'version:*'],
    },
    {
      name: 'zero count goes first',
      query: { namespaces: ['x'], tags: ['missing'] },
      counts: { 'namespace:x': 1, 'tag:missing': 0 },
      expected: ['tag:missing', 'namespace:x'],
    },
    {
      name: 'duplicate values dropped',
      query: { namespaces: ['a', 'b', 'a'], tags: ['t', 't'] },
      counts: {},
      expected: ['namespace:a,b', 'tag:t'],
    },
    {
      name: 'empty lists restrict nothing',
      query: { namespaces: [], environments: ['dev'] },
      counts: {},
      expected: ['environment:dev'],
    },
  ];

  for (const { name, query, counts, expected } of cases) {
    test(name, () => {
      const plan = planQuery({ ...EMPTY_QUERY, ...query }, estimator(counts));

      assert.deepEqual(
        plan.steps.map((planned) => describeStep(planned.step)),
        expected,
      );
    });
  }

  test('keeps each estimate with its step', () => {
    const query = { ...EMPTY_QUERY, namespaces: ['a'], tags: ['t'] };
    const plan = planQuery(query, estimator({ 'namespace:a': 7, 'tag:t': 3 }));

    assert.deepEqual(
      plan.steps.map((planned) => planned.cardinality),
      [3, 7],
    );
  });

  const badEstimates = [-1, Number.NaN, Number.POSITIVE_INFINITY];

  for (const estimate of badEstimates) {
    test(`rejects estimate ${estimate}`, () => {
      const query = { ...EMPTY_QUERY, regions: ['eu'] };

      assert.throws(() => planQuery(query, () => estimate), {
        name: 'RangeError',
        message:
          `invalid cardinality ${estimate} for the region step: ` +
          'must be a finite number of at least 0',
      });
    });
  }
});
