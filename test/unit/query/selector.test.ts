import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { QueryError } from '../../../src/query/errors.ts';
import { MAX_SELECTOR_LENGTH, parseSelector } from '../../../src/query/selector.ts';

/** Attribute maps to select from, named so that a case lists the names it matches. */
const SAMPLES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  web: { app: 'web', tier: 'frontend', replicas: '3' },
  api: { app: 'api', tier: 'backend', replicas: '10', 'example.com/zone': 'a' },
  bare: {},
  odd: { app: 'a b', replicas: '-3', owner: 'a@b.io', note: 'x"y\\z' },
  big: { app: '', replicas: '99999999999999999999' },
  padded: { replicas: '007', team: '' },
};

const ALL = Object.keys(SAMPLES);

/** Names every sample except the given ones. */
function allBut(...excluded: string[]): string[] {
  return ALL.filter((name) => !excluded.includes(name));
}

const VALID: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['', ALL],
  [' \t ', ALL],
  ['app=web', ['web']],
  ['app==web', ['web']],
  ['app!=web', allBut('web')],
  ['app in (web,api)', ['web', 'api']],
  ['app notin (web)', allBut('web')],
  ['tier', ['web', 'api']],
  ['!tier', allBut('web', 'api')],
  ['!app', ['bare', 'padded']],
  ['replicas>5', ['api', 'padded']],
  ['replicas<5', ['web', 'odd']],
  ['replicas>3,replicas<10', ['padded']],
  ['replicas<9223372036854775807', ['web', 'api', 'odd', 'padded']],
  ['replicas>9223372036854775806', []],
  ['replicas>"5"', ['api', 'padded']],
  ['app=', ['big']],
  ['app in ()', ['big']],
  ['team notin ()', allBut('padded')],
  ['app in (web,,api)', ['web', 'api', 'big']],
  ['app in (,web)', ['web', 'big']],
  ['app in (,,,)', ['big']],
  ['app in (web,,)', ['web', 'big']],
  ['app in (,,)', ['big']],
  ['app in (web,)', ['web', 'big']],
  ['app=web,tier=frontend', ['web']],
  [' app = web , tier ', ['web']],
  ['\tapp\n==\rweb', ['web']],
  ['app in(web)', ['web']],
  ['example.com/zone=a', ['api']],
  ['owner="a@b.io"', ['odd']],
  ['app in ("a b", web)', ['web', 'odd']],
  ['note="x\\"y\\\\z"', ['odd']],
  ['app!="a b"', allBut('odd')],
  ['in in (notin)', []],
  ['app=in', []],
  ['constructor', []],
  ['!constructor', ALL],
];

describe('parseSelector matches', () => {
  for (const [selector, expected] of VALID) {
    test(`${JSON.stringify(selector)} selects ${expected.join(', ') || 'nothing'}`, () => {
      const parsed = parseSelector(selector);
      const selected = ALL.filter((name) => parsed.matches(SAMPLES[name] ?? {}));

      assert.deepEqual(selected, expected);
    });
  }
});

/** Invalid selectors, each with the start of the rule that the error names. */
const INVALID: ReadonlyArray<readonly [string, string]> = [
  [',', 'at offset 0: found ",", expected !, a label key or end of string'],
  ['app,', 'at offset 4: found end of string, expected !, or a label key after ","'],
  ['app=web,', 'at offset 8: found end of string'],
  ['app web', 'at offset 4: found "web", expected one of in, notin, =, ==, !=, >, <'],
  ['app=web tier', 'at offset 8: found "tier", expected "," or end of string'],
  ['app in web', 'at offset 7: found "web", expected "("'],
  ['app in', 'at offset 6: found end of string, expected "("'],
  ['app in (web', 'at offset 11: found end of string, expected "," or ")"'],
  ['app in (a b)', 'at offset 10: found "b", expected "," or ")"'],
  ['app in (a,(', 'at offset 10: found "(", expected "," or a value'],
  ['app in ((a))', 'at offset 8: found "(", expected ",", ")" or a value'],
  ['!app=web', 'at offset 4: found "=", expected "," or end of string'],
  ['app=(web)', 'at offset 4: found "(", expected a value'],
  ['app<=5', 'at offset 4: found "=", expected a value'],
  ['app===x', 'at offset 5: found "=", expected a value'],
  ['app=a b', 'at offset 6: found "b", expected "," or end of string'],
  ['replicas>', 'at offset 9: found "", but the value of ">" must be a decimal integer'],
  ['replicas>-1', 'at offset 9: found "-1", but the value of ">" must be a decimal integer'],
  ['replicas<+5', 'at offset 9: found "+5", but the value of "<" must be a decimal integer'],
  ['replicas>1.5', 'at offset 9: found "1.5", but'],
  ['replicas>99999999999999999999', 'at offset 9: found "99999999999999999999", but'],
  ['replicas>"x"', 'at offset 9: found "x", but'],
  ['app=-web', 'at offset 4: value "-web" is not a valid label value'],
  [`app=${'v'.repeat(64)}`, 'at offset 4: value "vvvv'],
  [
    'Example.com/zone=a',
    'at offset 0: key "Example.com/zone" is not a valid label key: the prefix',
  ],
  ['a/b/c=x', 'at offset 0: key "a/b/c" is not a valid label key'],
  ['/a=x', 'at offset 0: key "/a" is not a valid label key: the prefix before / must not be empty'],
  ['-app=x', 'at offset 0: key "-app" is not a valid label key: the name'],
  [`${'k'.repeat(64)}=x`, 'at offset 0: key "kkkk'],
  ['app="web', `at offset 4: found a quoted value without its closing '"'`],
  ['app="w\\eb"', 'at offset 6: found "\\e", expected'],
  ['"app"=web', 'at offset 0: found quoted value "app", expected !, a label key or end of string'],
  ['app=web,,tier', 'at offset 8: found ",", expected !, or a label key after ","'],
];

describe('parseSelector rejects', () => {
  for (const [selector, rule] of INVALID) {
    test(JSON.stringify(selector.length > 40 ? `${selector.slice(0, 40)}...` : selector), () => {
      assert.throws(
        () => parseSelector(selector),
        (error: unknown) => {
          assert.ok(error instanceof QueryError);
          assert.equal(error.field, 'selector');
          assert.equal(error.value, selector);
          assert.ok(error.rule.startsWith(rule), `rule ${JSON.stringify(error.rule)}`);
          return true;
        },
      );
    });
  }

  test('names the field in the message', () => {
    assert.throws(() => parseSelector('a b'), {
      message: /^invalid label selector "a b": at offset 2: found "b"/,
    });
  });

  test('a selector over the maximum length', () => {
    const selector = `a in (${'b,'.repeat(MAX_SELECTOR_LENGTH)}b)`;

    assert.throws(() => parseSelector(selector), {
      name: 'QueryError',
      message: new RegExp(`longer than the maximum of ${MAX_SELECTOR_LENGTH} characters$`),
    });
  });
});

describe('parseSelector requirements', () => {
  test('lists requirements in the order written', () => {
    const parsed = parseSelector('z in (b,a,b), !y, x, w!=v, n>5, m<6, k==l, j=');

    assert.deepEqual(parsed.requirements, [
      { key: 'z', operator: 'in', values: ['a', 'b'] },
      { key: 'y', operator: '!', values: [] },
      { key: 'x', operator: 'exists', values: [] },
      { key: 'w', operator: '!=', values: ['v'] },
      { key: 'n', operator: 'gt', values: ['5'] },
      { key: 'm', operator: 'lt', values: ['6'] },
      { key: 'k', operator: '==', values: ['l'] },
      { key: 'j', operator: '=', values: [''] },
    ]);
  });

  test('keeps the text and tells empty', () => {
    assert.equal(parseSelector('a=b').text, 'a=b');
    assert.equal(parseSelector('a=b').empty, false);
    assert.equal(parseSelector('  ').empty, true);
  });

  test('unescapes quoted values', () => {
    const parsed = parseSelector('k in ("a\\"b", "c\\\\d", "", "x,y (z)")');

    assert.deepEqual(parsed.requirements[0]?.values, ['', 'a"b', 'c\\d', 'x,y (z)']);
  });
});
