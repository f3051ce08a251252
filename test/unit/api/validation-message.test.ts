import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  QUOTED_VALUE_MAX_LENGTH,
  describeValue,
  formatSpecPath,
  quoteString,
  valueAtPath,
  type PathSegment,
} from '../../../src/api/validation-message.ts';

describe('formatSpecPath', () => {
  const cases: ReadonlyArray<[PathSegment[], string]> = [
    [[], 'spec'],
    [['version'], 'spec.version'],
    [['tags', 3], 'spec.tags[3]'],
    [['endpoints', 0, 'url'], 'spec.endpoints[0].url'],
    [['attributes', 'team'], 'spec.attributes["team"]'],
    [['attributes', 'datapunk.io/tier'], 'spec.attributes["datapunk.io/tier"]'],
    [['attributes', 'a"b'], 'spec.attributes["a\\"b"]'],
    [['odd-key'], 'spec["odd-key"]'],
  ];

  for (const [path, expected] of cases) {
    test(`formats ${expected}`, () => {
      assert.equal(formatSpecPath(path), expected);
    });
  }

  test('truncates a long map key', () => {
    const path = formatSpecPath(['attributes', 'k'.repeat(500)]);
    assert.equal(path, `spec.attributes["${'k'.repeat(QUOTED_VALUE_MAX_LENGTH)}..."]`);
  });
});

describe('describeValue', () => {
  const cases: ReadonlyArray<[string, unknown, string]> = [
    ['short string', 'abc', '"abc"'],
    ['string with quote', 'a"b', '"a\\"b"'],
    ['control character', 'a\nb', '"a\\nb"'],
    ['null', null, 'null'],
    ['number', 42, '42'],
    ['boolean', false, 'false'],
    ['bigint', 7n, '7'],
    ['list', [1, 2], '(a list of 2 items)'],
    ['list of one', ['a'], '(a list of 1 item)'],
    ['object', { a: 1 }, '(an object)'],
    ['function', () => 1, '(a function)'],
  ];

  for (const [name, value, expected] of cases) {
    test(`describes ${name}`, () => {
      assert.equal(describeValue(value), expected);
    });
  }

  test('long string truncated with its length', () => {
    const text = describeValue('x'.repeat(10_000));
    assert.equal(text, `"${'x'.repeat(QUOTED_VALUE_MAX_LENGTH)}..." (10000 characters)`);
  });

  test('string at the quote limit kept whole', () => {
    const value = 'y'.repeat(QUOTED_VALUE_MAX_LENGTH);
    assert.equal(describeValue(value), `"${value}"`);
  });
});

describe('quoteString', () => {
  test('cut inside a surrogate pair stays valid JSON', () => {
    const value = `${'a'.repeat(QUOTED_VALUE_MAX_LENGTH - 1)}😀tail`;
    const quoted = quoteString(value);
    assert.ok(quoted.endsWith('..."'));
    assert.doesNotThrow(() => JSON.parse(quoted.replace('..."', '"')));
  });
});

describe('valueAtPath', () => {
  const root = { tags: ['a', 'b'], attributes: { team: 'x' } };

  test('reads nested values', () => {
    assert.equal(valueAtPath(root, ['tags', 1]), 'b');
    assert.equal(valueAtPath(root, ['attributes', 'team']), 'x');
    assert.equal(valueAtPath(root, []), root);
  });

  test('ignores inherited properties', () => {
    assert.equal(valueAtPath(root, ['attributes', 'constructor']), undefined);
    assert.equal(valueAtPath(root, ['__proto__']), undefined);
    assert.equal(valueAtPath(root, ['tags', 'length']), 2);
  });

  test('throwing accessor read as undefined', () => {
    const hostile = new Proxy(
      {},
      {
        getOwnPropertyDescriptor: () => {
          throw new Error('hostile accessor');
        },
      },
    );
    assert.equal(valueAtPath({ spec: hostile }, ['spec', 'tags']), undefined);
  });

  test('stops at a primitive', () => {
    assert.equal(valueAtPath(root, ['attributes', 'team', 'x']), undefined);
    assert.equal(valueAtPath(null, ['a']), undefined);
  });
});
