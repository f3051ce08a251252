import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  compileRequirement,
  formatRequirement,
  isIndexable,
  parseInt64,
} from '../../../src/query/requirement.ts';
import type { Requirement } from '../../../src/query/requirement.ts';
import { parseSelector } from '../../../src/query/selector.ts';

describe('parseInt64', () => {
  const cases: ReadonlyArray<readonly [string, boolean, bigint | undefined]> = [
    ['0', false, 0n],
    ['007', false, 7n],
    ['9223372036854775807', false, 9223372036854775807n],
    ['9223372036854775808', false, undefined],
    ['-9223372036854775808', true, -9223372036854775808n],
    ['-9223372036854775809', true, undefined],
    ['-3', true, -3n],
    ['+4', true, 4n],
    ['-3', false, undefined],
    ['+4', false, undefined],
    ['', true, undefined],
    ['1_000', true, undefined],
    [' 1', true, undefined],
    ['0x10', true, undefined],
  ];

  for (const [text, signed, expected] of cases) {
    test(`${JSON.stringify(text)} ${signed ? 'signed' : 'unsigned'}`, () => {
      assert.equal(parseInt64(text, signed), expected);
    });
  }
});

describe('formatRequirement', () => {
  const cases: ReadonlyArray<readonly [string, string]> = [
    ['team', 'team'],
    ['!team', '!team'],
    ['team=core', 'team=core'],
    ['team==core', 'team==core'],
    ['team!=core', 'team!=core'],
    ['team in (web,core)', 'team in (core,web)'],
    ['team notin ()', 'team notin ()'],
    ['cpu>4', 'cpu>4'],
    ['cpu<4', 'cpu<4'],
    ['owner="a@b.io"', 'owner="a@b.io"'],
    ['note="x\\"y\\\\z"', 'note="x\\"y\\\\z"'],
  ];

  for (const [selector, expected] of cases) {
    test(`${selector} formats as ${expected}`, () => {
      const [requirement] = parseSelector(selector).requirements;
      assert.ok(requirement !== undefined);

      const formatted = formatRequirement(requirement);

      assert.equal(formatted, expected);
      assert.deepEqual(parseSelector(formatted).requirements, [requirement]);
    });
  }
});

describe('isIndexable', () => {
  const cases: ReadonlyArray<readonly [string, boolean]> = [
    ['k=v', true],
    ['k==v', true],
    ['k in (v)', true],
    ['k', true],
    ['k!=v', false],
    ['k notin (v)', false],
    ['!k', false],
    ['k>1', false],
    ['k<1', false],
  ];

  for (const [selector, expected] of cases) {
    test(`${selector} ${expected ? 'uses' : 'skips'} the index`, () => {
      const [requirement] = parseSelector(selector).requirements;

      assert.equal(requirement !== undefined && isIndexable(requirement), expected);
    });
  }
});

describe('compileRequirement', () => {
  test('rejects a comparison without an integer operand', () => {
    const requirement: Requirement = { key: 'k', operator: 'gt', values: ['x'] };

    assert.throws(() => compileRequirement(requirement), { name: 'RangeError' });
  });

  test('reads only own properties', () => {
    const test = compileRequirement({ key: 'toString', operator: 'exists', values: [] });

    assert.equal(test({}), false);
    assert.equal(test({ toString: 'x' }), true);
  });
});
