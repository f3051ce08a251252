/**
 * The zod schema of the `ServiceMetadata` spec and its validation against the configured limits.
 *
 * Validation runs in two steps. The schema step mirrors the CRD (the same patterns, lengths and
 * hard caps from `limits.ts`), so it rejects only what admission would have rejected: any failure
 * there is `InvalidValue`. The limit step applies `MetadataConfig`'s lower limits, which the CRD
 * cannot know: exceeding one is `LimitExceeded`. An environment outside a non-empty
 * `allowedEnvironments` list is `InvalidValue`, since no later change of limits admits it.
 *
 * Validation never throws: any input, including null, a list, a number, a huge string or an
 * object with a `__proto__` key, returns a result whose message names the field, the value and
 * the rule. Unit tests check this with fast-check's arbitrary values and with hostile objects.
 */
import { parse as parseSemver } from 'semver';
import { z } from 'zod';

import type { MetadataConfig } from '../config.ts';
import { attributesSchema, codePointLength, isAttributeKeyIssue } from './attributes-schema.ts';
import {
  DESCRIPTION_MAX_LENGTH,
  DNS1123_LABEL_MAX_LENGTH,
  DNS1123_LABEL_PATTERN,
  ENDPOINT_URL_MAX_LENGTH,
  ENDPOINT_URL_PATTERN,
  ENDPOINTS_MAX_ITEMS,
  OWNER_MAX_LENGTH,
  TAG_MAX_LENGTH,
  TAG_MIN_LENGTH,
  TAG_PATTERN,
  TAGS_MAX_ITEMS,
  VERSION_MAX_LENGTH,
  VERSION_PATTERN,
} from './limits.ts';
import type { Endpoint } from './types.ts';
import {
  describeValue,
  formatSpecPath,
  quoteString,
  valueAtPath,
  type PathSegment,
} from './validation-message.ts';

const DNS1123_LABEL_RULE =
  "must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a " +
  'letter or digit';
const VERSION_RULE =
  "must be a SemVer 2.0.0 version with an optional leading 'v', such as 2.4.1, v1.0.0-rc.1 " +
  'or 2.4.1+build.7';
const VERSION_RANGE_RULE =
  'must have a major, minor and patch number of at most 9007199254740991 each';
const TAG_RULE =
  "must be ASCII letters, digits, '-', '_', '.', ':' or '/', starting and ending with a " +
  'letter or digit';
const URL_RULE =
  "must be a URL with a lowercase scheme and '://', in printable ASCII without spaces";

const dns1123LabelRegExp = new RegExp(DNS1123_LABEL_PATTERN);
const versionRegExp = new RegExp(VERSION_PATTERN);
const tagRegExp = new RegExp(TAG_PATTERN);
const endpointUrlRegExp = new RegExp(ENDPOINT_URL_PATTERN);

/**
 * Returns a string schema with a maximum length that is checked first and stops the other checks,
 * so that a huge string never reaches a regular expression.
 */
function boundedString(maxLength: number): z.ZodString {
  return z
    .string({ error: 'must be a string' })
    .max(maxLength, { abort: true, error: `must be at most ${maxLength} characters` });
}

function dns1123Label(): z.ZodString {
  return boundedString(DNS1123_LABEL_MAX_LENGTH).regex(dns1123LabelRegExp, {
    error: DNS1123_LABEL_RULE,
  });
}

/** Reports whether node-semver reads the version; it rejects numbers above 2^53 - 1. */
function isSemverReadable(version: string): boolean {
  return parseSemver(version, { loose: false }) !== null;
}

const versionSchema = boundedString(VERSION_MAX_LENGTH)
  .regex(versionRegExp, { abort: true, error: VERSION_RULE })
  .refine(isSemverReadable, { error: VERSION_RANGE_RULE });

const tagSchema = z
  .string({ error: 'must be a string' })
  .min(TAG_MIN_LENGTH, { abort: true, error: `must be at least ${TAG_MIN_LENGTH} character` })
  .max(TAG_MAX_LENGTH, { abort: true, error: `must be at most ${TAG_MAX_LENGTH} characters` })
  .regex(tagRegExp, { error: TAG_RULE });

const tagsSchema = z
  .array(tagSchema, { error: 'must be a list of strings' })
  .max(TAGS_MAX_ITEMS, { abort: true, error: `must have at most ${TAGS_MAX_ITEMS} items` });

const endpointSchema = z.object(
  {
    name: dns1123Label(),
    url: boundedString(ENDPOINT_URL_MAX_LENGTH).regex(endpointUrlRegExp, { error: URL_RULE }),
  },
  { error: 'must be an object with a name and a url' },
);

const endpointsSchema = z
  .array(endpointSchema, { error: 'must be a list of endpoints' })
  .max(ENDPOINTS_MAX_ITEMS, {
    abort: true,
    error: `must have at most ${ENDPOINTS_MAX_ITEMS} items`,
  })
  .superRefine((endpoints, context) => {
    const seen = new Map<string, number>();
    endpoints.forEach((endpoint, index) => {
      const first = seen.get(endpoint.name);
      if (first !== undefined) {
        context.addIssue({
          code: 'custom',
          message: `must be unique, but spec.endpoints[${first}] has the same name`,
          path: [index, 'name'],
          input: endpoint.name,
        });
      }
      seen.set(endpoint.name, first ?? index);
    });
  });

/**
 * The zod schema of `ServiceMetadata.spec`, with the CRD's patterns, lengths and hard caps. Fields
 * that the CRD does not declare are dropped, as the API server prunes them. A `null` optional
 * field counts as absent, as the API server removes nulls from fields that are not nullable.
 */
export const serviceMetadataSpecSchema = z.object(
  {
    service: dns1123Label(),
    version: versionSchema,
    environment: dns1123Label(),
    region: dns1123Label(),
    tags: tagsSchema.nullish(),
    attributes: attributesSchema.nullish(),
    owner: boundedString(OWNER_MAX_LENGTH).nullish(),
    description: boundedString(DESCRIPTION_MAX_LENGTH).nullish(),
    endpoints: endpointsSchema.nullish(),
  },
  { error: 'must be an object' },
);

/** A spec after validation, in the form that the index stores and queries return. */
export interface NormalizedSpec {
  service: string;
  /** The spec's version with a leading `v` removed; pre-release and build metadata are kept. */
  version: string;
  environment: string;
  region: string;
  /** Unique tags in ascending code-unit order. */
  tags: string[];
  /**
   * Attributes in ascending key order. The object has the usual prototype, so read it with
   * `Object.hasOwn`: a key such as `constructor` is valid.
   */
  attributes: Record<string, string>;
  owner?: string;
  description?: string;
  /** Endpoints in the order of the spec. */
  endpoints: Endpoint[];
}

/** The reasons for which validation rejects a spec; they become condition reasons. */
export type ValidationFailureReason = 'InvalidValue' | 'LimitExceeded';

/** The result of `validateServiceMetadata`. */
export type ValidationResult =
  | { valid: true; spec: NormalizedSpec }
  | { valid: false; reason: ValidationFailureReason; field: string; message: string };

/** The settings of `MetadataConfig` that validation applies. */
export type ValidationLimits = Pick<
  MetadataConfig,
  'maxTags' | 'maxTagLength' | 'allowedEnvironments' | 'maxAttributes' | 'maxAttributeValueLength'
>;

type Failure = Extract<ValidationResult, { valid: false }>;

/**
 * Validates an untrusted spec against the CRD's rules and then the configured limits, and returns
 * either the normalized spec or the first failure, with the field path, the value and the rule or
 * limit in its message. Never throws.
 */
export function validateServiceMetadata(spec: unknown, limits: ValidationLimits): ValidationResult {
  let parsed: ReturnType<typeof serviceMetadataSpecSchema.safeParse>;
  try {
    parsed = serviceMetadataSpecSchema.safeParse(spec);
  } catch {
    // Only an exotic object, such as one with a throwing getter or a Proxy, can make parsing
    // throw. A spec decoded from JSON cannot, so a generic message is enough.
    return invalid([], 'could not be read as a ServiceMetadata spec', spec);
  }
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = (issue?.path ?? []).filter(isPathSegment);
    return invalid(path, issue?.message ?? 'is invalid', spec, isAttributeKeyIssue(issue));
  }

  const normalized = normalize(parsed.data);
  return checkLimits(parsed.data, normalized, limits) ?? { valid: true, spec: normalized };
}

function isPathSegment(segment: PropertyKey): segment is PathSegment {
  return typeof segment === 'string' || typeof segment === 'number';
}

/**
 * Returns an `InvalidValue` failure for the field at `path`, quoting the value found there in
 * `spec`. When `keyIssue` is true the map key at the end of the path broke the rule, so the
 * message names the key instead of the value.
 */
function invalid(path: PathSegment[], rule: string, spec: unknown, keyIssue = false): Failure {
  const field = formatSpecPath(path);
  let message: string;

  if (keyIssue) {
    message = `invalid key ${field}: ${rule}`;
  } else {
    const value = valueAtPath(spec, path);
    const missing = value === undefined && (path.length > 0 || spec === undefined);
    message = missing
      ? `missing ${field}: the field is required`
      : `invalid ${field} ${describeValue(value)}: ${rule}`;
  }
  return { valid: false, reason: 'InvalidValue', field, message };
}

type ParsedSpec = z.output<typeof serviceMetadataSpecSchema>;

function normalize(spec: ParsedSpec): NormalizedSpec {
  const normalized: NormalizedSpec = {
    service: spec.service,
    version: displayVersion(spec.version),
    environment: spec.environment,
    region: spec.region,
    tags: [...new Set(spec.tags ?? [])].sort(),
    attributes: spec.attributes ?? {},
    endpoints: (spec.endpoints ?? []).map((endpoint) => ({
      name: endpoint.name,
      url: endpoint.url,
    })),
  };
  if (spec.owner !== undefined && spec.owner !== null) {
    normalized.owner = spec.owner;
  }
  if (spec.description !== undefined && spec.description !== null) {
    normalized.description = spec.description;
  }
  return normalized;
}

/**
 * Returns the version as users see it: the spec's version with one leading `v` removed and
 * nothing else changed. node-semver's `clean()` and `SemVer.version` would also drop build
 * metadata, so neither is used.
 */
export function displayVersion(version: string): string {
  return version.startsWith('v') ? version.slice(1) : version;
}

/**
 * Returns the first configured limit that the spec exceeds. Tag indexes in messages refer to the
 * spec as written, not to the sorted list.
 */
function checkLimits(
  parsed: ParsedSpec,
  spec: NormalizedSpec,
  limits: ValidationLimits,
): Failure | undefined {
  const allowed = limits.allowedEnvironments;
  if (allowed.length > 0 && !allowed.includes(spec.environment)) {
    return {
      valid: false,
      reason: 'InvalidValue',
      field: 'spec.environment',
      message:
        `invalid spec.environment ${quoteString(spec.environment)}: must be one of the allowed ` +
        `environments: ${allowed.join(', ')}`,
    };
  }
  if (spec.tags.length > limits.maxTags) {
    return limitExceeded(['tags'], `has ${spec.tags.length} items`, limits.maxTags);
  }
  const tags = parsed.tags ?? [];
  const index = tags.findIndex((tag) => tag.length > limits.maxTagLength);
  const longTag = tags[index];
  if (longTag !== undefined) {
    const subject = `${quoteString(longTag)} has ${longTag.length} characters`;
    return limitExceeded(['tags', index], subject, limits.maxTagLength);
  }
  const keys = Object.keys(spec.attributes);
  if (keys.length > limits.maxAttributes) {
    return limitExceeded(['attributes'], `has ${keys.length} entries`, limits.maxAttributes);
  }
  for (const key of keys) {
    const value = spec.attributes[key] ?? '';
    const length = codePointLength(value);
    if (length > limits.maxAttributeValueLength) {
      const subject = `${quoteString(value)} has ${length} characters`;
      return limitExceeded(['attributes', key], subject, limits.maxAttributeValueLength);
    }
  }
  return undefined;
}

function limitExceeded(path: PathSegment[], subject: string, limit: number): Failure {
  const field = formatSpecPath(path);
  return {
    valid: false,
    reason: 'LimitExceeded',
    field,
    message: `${field} ${subject}, more than the limit of ${limit}`,
  };
}
