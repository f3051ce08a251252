/**
 * The label selector parser: the grammar and meaning of `kubectl get -l`, as `labels.Parse` of
 * k8s.io/apimachinery/pkg/labels (v0.37.2) implements them, applied to `spec.attributes`.
 *
 * ```
 * selector    ::= "" | requirement ("," requirement)*
 * requirement ::= ["!"] KEY | KEY ("=" | "==" | "!=" | ">" | "<") [VALUE]
 *               | KEY ("in" | "notin") "(" [VALUE ("," [VALUE])*] ")"
 * ```
 *
 * Requirements combine with AND, and an empty selector matches every object. Whitespace between
 * tokens is ignored. KEY must be a valid label key and an unquoted VALUE a valid label value (at
 * most 63 letters, digits, `-`, `_` or `.`, starting and ending with a letter or digit). A missing
 * VALUE is the empty string, so `k=` requires the empty value and `k in ()` means `k in ("")`.
 * A comma next to `(`, `)` or another comma adds the empty value to a list, so `(a,,b)`, `(a,)` and
 * `(,)` all hold `""`. The operand of `>` and `<` must be
 * a decimal integer without a sign that fits in 64 bits (see `requirement.ts` for the comparison).
 *
 * Extension: a VALUE in double quotes, such as `owner-email="a@b.io"` or `k in ("x y", b)`, may
 * contain any character, with `\"` for `"` and `\\` for `\`. It selects attribute values that are
 * not label values, since attributes allow up to 256 characters of any kind. Keys cannot be quoted.
 * Kubernetes rejects every selector that contains `"`, so this parser gives every selector that
 * Kubernetes accepts the same meaning.
 */
import { QueryError } from './errors.ts';
import { labelKeyError, labelValueError } from './label-syntax.ts';
import { compileRequirement, parseInt64 } from './requirement.ts';
import type { Attributes, AttributeTest, Requirement, RequirementOperator } from './requirement.ts';
import { describeToken, SELECTOR_FIELD, SELECTOR_LABEL, tokenize } from './selector-lexer.ts';
import type { Token } from './selector-lexer.ts';

/** The maximum length of a selector, in characters. */
export const MAX_SELECTOR_LENGTH = 4096;

/** A parsed label selector. */
export interface Selector {
  /** The selector as the caller wrote it. */
  readonly text: string;
  /** The requirements in the order written, all of which must match (AND). */
  readonly requirements: readonly Requirement[];
  /** True when the selector has no requirement and so matches every attribute map. */
  readonly empty: boolean;
  /** Tells whether an attribute map satisfies every requirement. */
  matches(attributes: Attributes): boolean;
}

/** A value as written, with where it starts and whether it was quoted. */
interface WrittenValue {
  readonly text: string;
  readonly offset: number;
  readonly quoted: boolean;
}

const BINARY_OPERATORS: ReadonlyMap<string, RequirementOperator> = new Map([
  ['=', '='],
  ['==', '=='],
  ['!=', '!='],
  ['>', 'gt'],
  ['<', 'lt'],
]);

const OPERATOR_LIST = 'one of in, notin, =, ==, !=, >, <';

/**
 * Parses a label selector over attributes.
 *
 * @throws QueryError with field `selector` for a syntax error, whose rule names the offset (in
 *   UTF-16 code units from 0) and what was expected there. It also throws for an invalid label key
 *   or unquoted label value, for an operand of `>` or `<` that is not a decimal integer, and for a
 *   selector over `MAX_SELECTOR_LENGTH` characters.
 */
export function parseSelector(text: string): Selector {
  if (text.length > MAX_SELECTOR_LENGTH) {
    const rule = `longer than the maximum of ${MAX_SELECTOR_LENGTH} characters`;
    throw new QueryError(SELECTOR_FIELD, text, rule, { label: SELECTOR_LABEL });
  }

  const requirements = new SelectorParser(text).parse();
  const tests: AttributeTest[] = requirements.map(compileRequirement);
  return {
    text,
    requirements,
    empty: requirements.length === 0,
    matches: (attributes) => tests.every((test) => test(attributes)),
  };
}

/** A recursive-descent parser over the tokens of one selector, in the steps of `labels.Parse`. */
class SelectorParser {
  readonly #text: string;
  readonly #tokens: readonly Token[];
  #position = 0;

  constructor(text: string) {
    this.#text = text;
    this.#tokens = tokenize(text);
  }

  parse(): Requirement[] {
    const requirements: Requirement[] = [];
    if (this.#peek().kind === 'end') {
      return requirements;
    }

    for (;;) {
      const start = this.#peek();
      if (start.kind !== 'identifier' && start.kind !== '!') {
        this.#fail(
          start,
          requirements.length === 0
            ? '!, a label key or end of string'
            : '!, or a label key after ","',
        );
      }

      requirements.push(this.#parseRequirement());

      const separator = this.#next();
      if (separator.kind === 'end') {
        return requirements;
      }

      if (separator.kind !== ',') {
        this.#fail(separator, '"," or end of string');
      }
    }
  }

  #parseRequirement(): Requirement {
    let keyToken = this.#next();
    const negated = keyToken.kind === '!';
    if (negated) {
      keyToken = this.#next();
    }

    if (keyToken.kind !== 'identifier') {
      this.#fail(keyToken, 'a label key');
    }

    const key = keyToken.text;
    const keyError = labelKeyError(key);
    if (keyError !== undefined) {
      this.#invalid(
        keyToken.offset,
        `key ${JSON.stringify(key)} is not a valid label key: ${keyError}`,
      );
    }

    const following = this.#peek().kind;
    if (negated || following === 'end' || following === ',') {
      return { key, operator: negated ? '!' : 'exists', values: [] };
    }

    const operator = this.#parseOperator();
    const values =
      operator === 'in' || operator === 'notin'
        ? this.#parseValueList()
        : [this.#parseExactValue()];
    return this.#buildRequirement(key, operator, values);
  }

  #parseOperator(): RequirementOperator {
    const token = this.#next();
    if (token.kind === 'identifier' && (token.text === 'in' || token.text === 'notin')) {
      return token.text;
    }

    const operator = BINARY_OPERATORS.get(token.kind);
    if (operator === undefined) {
      this.#fail(token, OPERATOR_LIST);
    }

    return operator;
  }

  /** Parses `(` values `)`, with the empty values that `labels.Parse` reads from extra commas. */
  #parseValueList(): WrittenValue[] {
    const open = this.#next();
    if (open.kind !== '(') {
      this.#fail(open, '"("');
    }

    const first = this.#peek();
    if (first.kind === ')') {
      this.#next();
      return [{ text: '', offset: first.offset, quoted: false }];
    }

    if (!isValue(first) && first.kind !== ',') {
      this.#fail(first, '",", ")" or a value');
    }

    const values = this.#parseValueEntries();
    this.#next();
    return values;
  }

  /** Reads the entries up to the closing `)`, which it leaves for the caller to consume. */
  #parseValueEntries(): WrittenValue[] {
    const values: WrittenValue[] = [];
    for (;;) {
      const token = this.#next();
      if (isValue(token)) {
        values.push(written(token));
        const after = this.#peek();
        if (after.kind === ')') {
          return values;
        }

        if (after.kind !== ',') {
          this.#fail(after, '"," or ")"');
        }

        continue;
      }

      if (token.kind !== ',') {
        this.#fail(token, '"," or a value');
      }

      // A comma next to another comma or to a parenthesis stands for an empty value.
      const empty = { text: '', offset: token.offset, quoted: false };
      if (values.length === 0) {
        values.push(empty);
      }

      const after = this.#peek();
      if (after.kind === ')') {
        values.push(empty);
        return values;
      }

      if (after.kind === ',') {
        values.push(empty);
      }
    }
  }

  #parseExactValue(): WrittenValue {
    const token = this.#peek();
    if (token.kind === 'end' || token.kind === ',') {
      return { text: '', offset: token.offset, quoted: false };
    }

    this.#next();
    if (!isValue(token)) {
      this.#fail(token, 'a value');
    }

    return written(token);
  }

  /** Validates the values as `labels.NewRequirement` does and builds the requirement. */
  #buildRequirement(
    key: string,
    operator: RequirementOperator,
    values: WrittenValue[],
  ): Requirement {
    for (const value of values) {
      if ((operator === 'gt' || operator === 'lt') && parseInt64(value.text, false) === undefined) {
        const symbol = operator === 'gt' ? '>' : '<';
        const rule = `the value of "${symbol}" must be a decimal integer without a sign that fits in 64 bits`;
        this.#invalid(value.offset, `found ${JSON.stringify(value.text)}, but ${rule}`);
      }

      const error = value.quoted ? undefined : labelValueError(value.text);
      if (error !== undefined) {
        const quoted = JSON.stringify(value.text);
        const hint = 'write it in double quotes to match any characters';
        this.#invalid(
          value.offset,
          `value ${quoted} is not a valid label value: ${error} (${hint})`,
        );
      }
    }

    const unique = [...new Set(values.map((value) => value.text))].sort();
    return { key, operator, values: unique };
  }

  #peek(): Token {
    return this.#tokens[this.#position] ?? this.#endToken();
  }

  #next(): Token {
    const token = this.#peek();
    if (this.#position < this.#tokens.length - 1) {
      this.#position += 1;
    }

    return token;
  }

  #endToken(): Token {
    return { kind: 'end', text: '', offset: this.#text.length };
  }

  #fail(token: Token, expected: string): never {
    this.#invalid(token.offset, `found ${describeToken(token)}, expected ${expected}`);
  }

  #invalid(offset: number, problem: string): never {
    throw new QueryError(SELECTOR_FIELD, this.#text, `at offset ${offset}: ${problem}`, {
      label: SELECTOR_LABEL,
    });
  }
}

function isValue(token: Token): boolean {
  return token.kind === 'identifier' || token.kind === 'quoted';
}

function written(token: Token): WrittenValue {
  return { text: token.text, offset: token.offset, quoted: token.kind === 'quoted' };
}
