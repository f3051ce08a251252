import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import fc from 'fast-check';

import { QueryError } from '../../../src/query/errors.ts';
import { compileQuery } from '../../../src/query/matcher.ts';
import { serviceQuerySchema } from '../../../src/query/model.ts';
import { MAX_SELECTOR_LENGTH, parseSelector } from '../../../src/query/selector.ts';
import { parseVersionRange } from '../../../src/query/version.ts';

/** Generated inputs per property. */
const RUNS = 8000;

/** Characters that no well-formed input contains: controls, NUL, lone surrogates, astral. */
const HOSTILE = ['\u0000', '\u0007', '\r\n', '\u007f', '\ud800', '\udfff', '\u{1F600}', '\u202e'];

/** Strings built from `tokens`, hostile characters and arbitrary code points. */
function stringsOf(tokens: readonly string[], maxLength: number): fc.Arbitrary<string> {
  const unit = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...tokens) },
    { weight: 1, arbitrary: fc.constantFrom(...HOSTILE) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 1 }) },
  );
  return fc.string({ unit, maxLength });
}

const SELECTOR_TOKENS = [
  'team',
  'tier',
  'a.b/c',
  'x'.repeat(63),
  'y'.repeat(64),
  '=',
  '==',
  '!=',
  '!',
  '>',
  '<',
  'in',
  'notin',
  '(',
  ')',
  ',',
  ' ',
  '"',
  '\\"',
  '\\\\',
  '"quoted value"',
  '9223372036854775807',
  '9223372036854775808',
  '-1',
  '',
];

const RANGE_TOKENS = [
  '>=',
  '<=',
  '>',
  '<',
  '=',
  '^',
  '~',
  '*',
  'x',
  'X',
  '||',
  ' ',
  '-',
  '.',
  '+',
  '0',
  '1',
  '2.0.0',
  '0.0.0-0',
  '99999999999999999999',
  '9007199254740991',
  'rc.1',
  'v',
  'build.5',
];

/** Runs `parse` and checks that it returns or throws a `QueryError` with a message. */
function returnsOrRejects(parse: () => unknown): void {
  try {
    parse();
  } catch (error) {
    assert.ok(error instanceof QueryError, `unexpected ${String(error)}`);
    assert.ok(error.message.length > 0);
  }
}

describe('query parser fuzz', () => {
  test('selectors parse or raise QueryError', () => {
    fc.assert(
      fc.property(stringsOf(SELECTOR_TOKENS, 200), (text) => {
        returnsOrRejects(() => parseSelector(text).matches({ team: 'core', tier: '1' }));
      }),
      { numRuns: RUNS },
    );
  });

  test('long selectors parse or raise QueryError', () => {
    const long = fc
      .tuple(stringsOf(SELECTOR_TOKENS, 20), fc.integer({ min: 100, max: 500 }))
      .map(([piece, count]) => `${piece},`.repeat(count));
    fc.assert(
      fc.property(long, (text) => {
        returnsOrRejects(() => parseSelector(text));
      }),
      { numRuns: RUNS / 10 },
    );
  });

  test('selector over the maximum is rejected by length', () => {
    const error = (() => {
      try {
        parseSelector('a,'.repeat(MAX_SELECTOR_LENGTH));
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    assert.ok(error instanceof QueryError);
    assert.match(error.rule, /maximum of 4096 characters/);
  });

  test('version ranges parse or raise QueryError', () => {
    fc.assert(
      fc.property(stringsOf(RANGE_TOKENS, 80), fc.boolean(), (text, includePrerelease) => {
        returnsOrRejects(() => parseVersionRange(text, includePrerelease).test('1.2.3'));
      }),
      { numRuns: RUNS },
    );
  });

  test('compiled queries match or raise QueryError', () => {
    const values = fc.array(stringsOf(SELECTOR_TOKENS, 10), { maxLength: 3 });
    const input = fc.record({
      tags: fc.record({ all: values, any: values, none: values }),
      namespaces: values,
      version: fc.option(stringsOf(RANGE_TOKENS, 40), { nil: undefined }),
      selector: fc.option(stringsOf(SELECTOR_TOKENS, 40), { nil: undefined }),
      includePrerelease: fc.boolean(),
    });
    fc.assert(
      fc.property(input, (raw) => {
        const parsed = serviceQuerySchema.safeParse(raw);
        if (!parsed.success) {
          assert.ok(parsed.error.issues.length > 0);
          return;
        }

        returnsOrRejects(() => compileQuery(parsed.data));
      }),
      { numRuns: RUNS / 5 },
    );
  });
});
