/**
 * The lexer of label selectors. It splits the text into tokens the way the lexer of
 * k8s.io/apimachinery/pkg/labels does: whitespace (space, tab, CR, LF) separates tokens and is
 * otherwise ignored; `=`, `!`, `(`, `)`, `,`, `>` and `<` are operator characters, and `==` and `!=`
 * are read as one token; every other run of characters is an identifier. The words `in` and
 * `notin` are identifiers too, and the parser reads them as operators only where an operator is
 * expected, as Kubernetes does.
 *
 * Extension: a token that starts with `"` is a quoted value that ends at the next unescaped `"`.
 * Inside it, `\"` stands for `"` and `\\` for `\`, and every other character stands for itself.
 * Kubernetes rejects every selector that contains `"`, because `"` is valid in neither a label key
 * nor a label value, so the extension accepts nothing that Kubernetes would read differently.
 */
import { QueryError } from './errors.ts';

/** The kind of a token. */
export type TokenKind =
  'identifier' | 'quoted' | '(' | ')' | ',' | '!' | '=' | '==' | '!=' | '>' | '<' | 'end';

/** One token with the offset of its first character in the selector text. */
export interface Token {
  readonly kind: TokenKind;
  /** The identifier or the unescaped quoted value; the operator itself for operator tokens. */
  readonly text: string;
  /** Offset of the first character, in UTF-16 code units from the start of the selector. */
  readonly offset: number;
}

const WHITESPACE = new Set([' ', '\t', '\r', '\n']);
const OPERATOR_CHARACTERS = new Set(['=', '!', '(', ')', ',', '>', '<']);
const TWO_CHARACTER_OPERATORS = new Set(['==', '!=']);

/** The error field of every selector error. */
export const SELECTOR_FIELD = 'selector';

/** The words that name the field in selector error messages. */
export const SELECTOR_LABEL = 'label selector';

/**
 * Splits a selector into tokens, ending with one `end` token.
 *
 * @throws QueryError with field `selector` for an unterminated quoted value or an escape other
 *   than `\"` and `\\`.
 */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let position = 0;

  for (;;) {
    while (position < text.length && WHITESPACE.has(text.charAt(position))) {
      position += 1;
    }

    if (position >= text.length) {
      tokens.push({ kind: 'end', text: '', offset: position });
      return tokens;
    }

    const token = readToken(text, position);
    tokens.push(token.token);
    position = token.next;
  }
}

/** Reads the token that starts at `start`, which is not whitespace. */
function readToken(text: string, start: number): { token: Token; next: number } {
  const first = text.charAt(start);

  if (OPERATOR_CHARACTERS.has(first)) {
    const pair = text.slice(start, start + 2);
    const operator = TWO_CHARACTER_OPERATORS.has(pair) ? pair : first;
    const token = { kind: operator as TokenKind, text: operator, offset: start };
    return { token, next: start + operator.length };
  }

  if (first === '"') {
    return readQuoted(text, start);
  }

  let end = start;
  while (end < text.length && !isDelimiter(text.charAt(end))) {
    end += 1;
  }

  const token: Token = { kind: 'identifier', text: text.slice(start, end), offset: start };
  return { token, next: end };
}

/** Reads a quoted value whose opening `"` is at `start`. */
function readQuoted(text: string, start: number): { token: Token; next: number } {
  let value = '';
  let position = start + 1;

  while (position < text.length) {
    const character = text.charAt(position);
    if (character === '"') {
      return { token: { kind: 'quoted', text: value, offset: start }, next: position + 1 };
    }

    if (character === '\\') {
      const escaped = text.charAt(position + 1);
      if (escaped !== '"' && escaped !== '\\') {
        const found = escaped === '' ? 'end of string' : `"\\${escaped}"`;
        const rule = `at offset ${position}: found ${found}, expected "\\"" or "\\\\" after "\\"`;
        throw new QueryError(SELECTOR_FIELD, text, rule, { label: SELECTOR_LABEL });
      }

      value += escaped;
      position += 2;
      continue;
    }

    value += character;
    position += 1;
  }

  const rule = `at offset ${start}: found a quoted value without its closing '"'`;
  throw new QueryError(SELECTOR_FIELD, text, rule, { label: SELECTOR_LABEL });
}

function isDelimiter(character: string): boolean {
  return WHITESPACE.has(character) || OPERATOR_CHARACTERS.has(character);
}

/** Describes a token for an error message, such as `"foo"`, `","` or `end of string`. */
export function describeToken(token: Token): string {
  if (token.kind === 'end') {
    return 'end of string';
  }

  if (token.kind === 'quoted') {
    return `quoted value ${JSON.stringify(token.text)}`;
  }

  return JSON.stringify(token.text);
}
