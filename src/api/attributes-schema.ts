/**
 * The zod schema of `ServiceMetadata.spec.attributes`, a map whose keys follow the Kubernetes
 * label-key rules. The CRD checks the keys with a CEL rule built from the same pattern.
 */
import { z } from 'zod';

import {
  ATTRIBUTE_KEY_PATTERN,
  ATTRIBUTE_KEY_PREFIX_MAX_LENGTH,
  ATTRIBUTE_VALUE_MAX_LENGTH,
  ATTRIBUTES_MAX_PROPERTIES,
  DNS1123_LABEL_MAX_LENGTH,
} from './limits.ts';

const ATTRIBUTE_KEY_RULE =
  'must be a Kubernetes label key: an optional DNS-1123 subdomain prefix of at most ' +
  `${ATTRIBUTE_KEY_PREFIX_MAX_LENGTH} characters and '/', then a name of 1 to ` +
  `${DNS1123_LABEL_MAX_LENGTH} letters, digits, '-', '_' or '.', starting and ending with a ` +
  'letter or digit';

/** The maximum length of an attribute key: a full prefix, `/` and a full name. */
const ATTRIBUTE_KEY_MAX_LENGTH = ATTRIBUTE_KEY_PREFIX_MAX_LENGTH + 1 + DNS1123_LABEL_MAX_LENGTH;

const attributeKeyRegExp = new RegExp(ATTRIBUTE_KEY_PATTERN);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return false;
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** Returns the rule that an attribute key breaks, or undefined when the key is valid. */
function attributeKeyError(key: string): string | undefined {
  if (key.length > ATTRIBUTE_KEY_MAX_LENGTH) {
    return `must be at most ${ATTRIBUTE_KEY_MAX_LENGTH} characters`;
  }
  if (!attributeKeyRegExp.test(key)) {
    return ATTRIBUTE_KEY_RULE;
  }
  const slash = key.indexOf('/');
  if (slash > ATTRIBUTE_KEY_PREFIX_MAX_LENGTH) {
    return `must have a prefix of at most ${ATTRIBUTE_KEY_PREFIX_MAX_LENGTH} characters`;
  }
  return undefined;
}

/** Returns the rule that an attribute value breaks, or undefined when the value is valid. */
/**
 * Returns the length of `text` in Unicode code points, as the API server counts a string's
 * `maxLength`: a character outside the Basic Multilingual Plane is one code point but two UTF-16
 * code units.
 */
export function codePointLength(text: string): number {
  let count = 0;
  for (let index = 0; index < text.length; index += 1) {
    const unit = text.charCodeAt(index);
    const next = text.charCodeAt(index + 1);
    // A high surrogate followed by a low one is a single code point.
    if (unit >= 0xd800 && unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      index += 1;
    }
    count += 1;
  }
  return count;
}

function attributeValueError(value: unknown): string | undefined {
  if (typeof value !== 'string') {
    return 'must be a string';
  }
  // Each code point is at most two code units, so a longer string is too long without counting.
  const tooLong =
    value.length > 2 * ATTRIBUTE_VALUE_MAX_LENGTH ||
    codePointLength(value) > ATTRIBUTE_VALUE_MAX_LENGTH;
  if (tooLong) {
    return `must be at most ${ATTRIBUTE_VALUE_MAX_LENGTH} characters`;
  }
  return undefined;
}

/** The `params` of an issue about an attribute key rather than the value under it. */
const KEY_ISSUE = { invalidKey: true } as const;

/** Reports whether a zod issue concerns an attribute key rather than the value under it. */
export function isAttributeKeyIssue(issue: z.core.$ZodIssue | undefined): boolean {
  return issue?.code === 'custom' && issue.params?.['invalidKey'] === KEY_ISSUE.invalidKey;
}

/**
 * The attributes map. A custom schema rather than `z.record`, because `z.record` drops a
 * `__proto__` key silently where the CRD's key rule rejects it, and because the entry count must
 * be checked before any key is read. Keys are read with `Object.keys`, so only own keys count.
 */
export const attributesSchema = z
  .custom<Record<string, unknown>>(isPlainObject, { error: 'must be a map of strings' })
  .superRefine((attributes, context) => {
    const keys = Object.keys(attributes);
    if (keys.length > ATTRIBUTES_MAX_PROPERTIES) {
      context.addIssue({
        code: 'custom',
        message: `must have at most ${ATTRIBUTES_MAX_PROPERTIES} entries`,
        input: attributes,
      });
      return;
    }
    for (const key of keys) {
      const keyError = attributeKeyError(key);
      if (keyError !== undefined) {
        context.addIssue({ code: 'custom', message: keyError, path: [key], params: KEY_ISSUE });
        return;
      }
      const valueError = attributeValueError(attributes[key]);
      if (valueError !== undefined) {
        context.addIssue({ code: 'custom', message: valueError, path: [key] });
        return;
      }
    }
  })
  .transform((attributes) => sortedStringRecord(attributes));

/** Copies the entries into a plain object in ascending key order; safe for a `__proto__` key. */
function sortedStringRecord(record: Record<string, unknown>): Record<string, string> {
  const entries = Object.keys(record)
    .sort()
    .map((key): [string, string] => [key, String(record[key])]);
  return Object.fromEntries(entries);
}
