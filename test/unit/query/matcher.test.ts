import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { compileQuery } from '../../../src/query/matcher.ts';
import type { Matchable } from '../../../src/query/matcher.ts';
import { serviceQuerySchema } from '../../../src/query/model.ts';
import type { ServiceQueryInput } from '../../../src/query/model.ts';

const RECORD: Matchable = {
  namespace: 'shop',
  name: 'cart',
  service: 'cart-svc',
  version: '2.1.0-rc.1+build.7',
  environment: 'prod',
  region: 'eu-west',
  tags: ['pci', 'web'],
  attributes: { team: 'payments', replicas: '4', owner: 'a@b.io' },
};

/** Queries over every field, each with whether RECORD matches it. */
const CASES: ReadonlyArray<readonly [string, ServiceQueryInput, boolean]> = [
  ['empty query', {}, true],
  ['namespace listed', { namespaces: ['other', 'shop'] }, true],
  ['namespace not listed', { namespaces: ['other'] }, false],
  ['service listed', { services: ['cart-svc'] }, true],
  ['service not listed', { services: ['cart'] }, false],
  ['every tag present', { tags: { all: ['pci', 'web'] } }, true],
  ['one tag of all missing', { tags: { all: ['pci', 'gpu'] } }, false],
  ['one tag of any present', { tags: { any: ['gpu', 'web'] } }, true],
  ['no tag of any present', { tags: { any: ['gpu'] } }, false],
  ['no tag of none present', { tags: { none: ['gpu'] } }, true],
  ['a tag of none present', { tags: { none: ['gpu', 'pci'] } }, false],
  ['environment in', { environments: { in: ['prod', 'dev'] } }, true],
  ['environment not in', { environments: { in: ['dev'] } }, false],
  ['environment notIn other', { environments: { notIn: ['dev'] } }, true],
  ['environment notIn own', { environments: { notIn: ['prod'] } }, false],
  ['environment in and notIn', { environments: { in: ['prod'], notIn: ['prod'] } }, false],
  ['region in', { regions: { in: ['eu-west'] } }, true],
  ['region notIn own', { regions: { notIn: ['eu-west'] } }, false],
  ['range leaves out pre-release', { version: '>=2.0.0' }, false],
  ['range with includePrerelease', { version: '>=2.0.0', includePrerelease: true }, true],
  ['range naming the pre-release', { version: '>=2.1.0-rc.0' }, true],
  ['range below', { version: '<2.0.0', includePrerelease: true }, false],
  ['selector matches', { selector: 'team=payments,replicas>3' }, true],
  ['selector misses', { selector: 'team=payments,replicas>4' }, false],
  ['quoted selector value', { selector: 'owner="a@b.io"' }, true],
  ['empty selector', { selector: '' }, true],
  [
    'all fields together',
    {
      namespaces: ['shop'],
      services: ['cart-svc'],
      tags: { all: ['pci'], any: ['web'], none: ['gpu'] },
      environments: { in: ['prod'], notIn: ['dev'] },
      regions: { in: ['eu-west'], notIn: ['us-east'] },
      version: '^2.0.0',
      includePrerelease: true,
      selector: 'team in (payments), !missing',
      sort: 'version',
    },
    true,
  ],
];

describe('compileQuery', () => {
  for (const [name, input, expected] of CASES) {
    test(`${name} ${expected ? 'matches' : 'does not match'}`, () => {
      const compiled = compileQuery(serviceQuerySchema.parse(input));

      assert.equal(compiled.matches(RECORD), expected);
    });
  }

  test('a version that does not parse matches no range', () => {
    const compiled = compileQuery(serviceQuerySchema.parse({ version: '*' }));

    assert.equal(compiled.matches({ ...RECORD, version: 'not-a-version' }), false);
  });

  test('exposes the compiled range and selector', () => {
    const compiled = compileQuery(serviceQuerySchema.parse({ version: '^1.0.0', selector: 'a' }));

    assert.equal(compiled.range?.test('1.5.0'), true);
    assert.deepEqual(compiled.selector.requirements, [
      { key: 'a', operator: 'exists', values: [] },
    ]);
  });

  test('rejects an invalid range', () => {
    assert.throws(() => compileQuery(serviceQuerySchema.parse({ version: '>=x' })), {
      name: 'QueryError',
      field: 'version',
    });
  });

  test('rejects an invalid selector', () => {
    assert.throws(() => compileQuery(serviceQuerySchema.parse({ selector: 'a b' })), {
      name: 'QueryError',
      field: 'selector',
    });
  });
});
