import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { describeCondition, isIndexStep, listConditions } from '../../../src/query/condition.ts';
import type { Condition } from '../../../src/query/condition.ts';
import { compileQuery } from '../../../src/query/matcher.ts';
import { serviceQuerySchema } from '../../../src/query/model.ts';
import type { ServiceQueryInput } from '../../../src/query/model.ts';
import { planQuery } from '../../../src/query/planner.ts';

function compile(input: ServiceQueryInput): ReturnType<typeof compileQuery> {
  return compileQuery(serviceQuerySchema.parse(input));
}

/** Builds an estimator from a table of condition descriptions to counts; others count 1000. */
function estimator(counts: Readonly<Record<string, number>>): (condition: Condition) => number {
  return (condition) => counts[describeCondition(condition)] ?? 1000;
}

const FULL_QUERY: ServiceQueryInput = {
  namespaces: ['b', 'a', 'b'],
  services: ['api'],
  tags: { all: ['pci', 'web', 'pci'], any: ['x', 'y'], none: ['beta', 'alpha'] },
  environments: { in: ['prod'], notIn: ['dev'] },
  regions: { in: ['eu'], notIn: ['us', 'ap'] },
  version: '^1.2',
  includePrerelease: true,
  selector: 'team in (a,b), owner="a@b.io", tier, x!=1, y notin (z), !gone, cpu>2, mem<9',
};

describe('listConditions', () => {
  test('lists every condition in the fixed order', () => {
    const described = listConditions(compile(FULL_QUERY)).map(describeCondition);

    assert.deepEqual(described, [
      'namespace in (b, a)',
      'service in (api)',
      'environment in (prod)',
      'region in (eu)',
      'tag all "pci"',
      'tag all "web"',
      'tag any (x, y)',
      'version satisfies "^1.2" including pre-releases',
      'selector team in (a,b)',
      'selector owner="a@b.io"',
      'selector tier',
      'selector x!=1',
      'selector y notin (z)',
      'selector !gone',
      'selector cpu>2',
      'selector mem<9',
      'environment notin (dev)',
      'region notin (us, ap)',
      'tag none "beta"',
      'tag none "alpha"',
    ]);
  });

  test('no condition for an empty query', () => {
    assert.deepEqual(listConditions(compile({})), []);
  });

  test('splits index steps from filters', () => {
    const split = listConditions(compile(FULL_QUERY)).map(
      (condition) =>
        `${isIndexStep(condition) ? 'step' : 'filter'} ${describeCondition(condition)}`,
    );

    assert.deepEqual(
      split.filter((line) => line.startsWith('filter')),
      [
        'filter selector x!=1',
        'filter selector y notin (z)',
        'filter selector !gone',
        'filter selector cpu>2',
        'filter selector mem<9',
        'filter environment notin (dev)',
        'filter region notin (us, ap)',
        'filter tag none "beta"',
        'filter tag none "alpha"',
      ],
    );
  });
});

describe('planQuery', () => {
  test('no steps and no filters without conditions', () => {
    const plan = planQuery(compile({}), () => assert.fail('estimator must not be called'));

    assert.deepEqual(plan, { steps: [], filters: [] });
  });

  const cases: ReadonlyArray<{
    readonly name: string;
    readonly query: ServiceQueryInput;
    readonly counts: Readonly<Record<string, number>>;
    readonly steps: readonly string[];
    readonly filters?: readonly string[];
  }> = [
    {
      name: 'smallest set first',
      query: { namespaces: ['a', 'b'], environments: { in: ['prod'] }, tags: { all: ['pci'] } },
      counts: { 'namespace in (a, b)': 40, 'environment in (prod)': 500, 'tag all "pci"': 3 },
      steps: ['tag all "pci"', 'namespace in (a, b)', 'environment in (prod)'],
    },
    {
      name: 'version and selector steps ordered by count',
      query: { services: ['api'], version: '^1.0.0', selector: 'team=a' },
      counts: {
        'service in (api)': 20,
        'version satisfies "^1.0.0"': 2,
        'selector team=a': 7,
      },
      steps: ['version satisfies "^1.0.0"', 'selector team=a', 'service in (api)'],
    },
    {
      name: 'ties keep the listed order',
      query: { regions: { in: ['eu'] }, namespaces: ['x'], tags: { any: ['t'] }, version: '*' },
      counts: {},
      steps: ['namespace in (x)', 'region in (eu)', 'tag any (t)', 'version satisfies "*"'],
    },
    {
      name: 'zero estimate goes first',
      query: { namespaces: ['x'], tags: { all: ['missing'] } },
      counts: { 'namespace in (x)': 1, 'tag all "missing"': 0 },
      steps: ['tag all "missing"', 'namespace in (x)'],
    },
    {
      name: 'filters ordered by estimate',
      query: { tags: { none: ['a', 'b'] }, environments: { notIn: ['dev'] }, selector: 'k>1' },
      counts: { 'tag none "a"': 9, 'tag none "b"': 2, 'environment notin (dev)': 5 },
      steps: [],
      filters: ['tag none "b"', 'environment notin (dev)', 'tag none "a"', 'selector k>1'],
    },
  ];

  for (const { name, query, counts, steps, filters = [] } of cases) {
    test(name, () => {
      const plan = planQuery(compile(query), estimator(counts));

      assert.deepEqual(
        plan.steps.map((planned) => describeCondition(planned.condition)),
        steps,
      );
      assert.deepEqual(
        plan.filters.map((planned) => describeCondition(planned.condition)),
        filters,
      );
    });
  }

  test('keeps each estimate with its condition', () => {
    const plan = planQuery(
      compile({ namespaces: ['a'], tags: { all: ['t'], none: ['n'] } }),
      estimator({ 'namespace in (a)': 7, 'tag all "t"': 3, 'tag none "n"': 4 }),
    );

    assert.deepEqual(
      plan.steps.map((planned) => planned.estimate),
      [3, 7],
    );
    assert.deepEqual(
      plan.filters.map((planned) => planned.estimate),
      [4],
    );
  });

  for (const estimate of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
    test(`rejects estimate ${estimate}`, () => {
      assert.throws(() => planQuery(compile({ regions: { in: ['eu'] } }), () => estimate), {
        name: 'RangeError',
        message:
          `invalid estimate ${estimate} for the in condition: ` +
          'must be a finite number of at least 0',
      });
    });
  }
});
