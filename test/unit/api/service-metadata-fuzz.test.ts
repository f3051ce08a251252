import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import fc from 'fast-check';

import { ConditionType, desiredStatus } from '../../../src/api/conditions.ts';
import {
  ATTRIBUTE_VALUE_MAX_LENGTH,
  ATTRIBUTES_MAX_PROPERTIES,
  DESCRIPTION_MAX_LENGTH,
  DNS1123_LABEL_PATTERN,
  ENDPOINT_URL_PATTERN,
  ENDPOINTS_MAX_ITEMS,
  OWNER_MAX_LENGTH,
  TAG_PATTERN,
  TAGS_MAX_ITEMS,
  VERSION_MAX_LENGTH,
} from '../../../src/api/limits.ts';
import {
  validateServiceMetadata,
  type ValidationLimits,
} from '../../../src/api/service-metadata.ts';
import type { ServiceMetadata } from '../../../src/api/types.ts';
import { toRecord } from '../../../src/controller/records.ts';

/** Generated specs per property; the two properties together run twice this many. */
const RUNS = 2500;

/** The configured limits at the CRD's caps, where every CRD-valid spec must be valid. */
const CAP_LIMITS: ValidationLimits = {
  maxTags: TAGS_MAX_ITEMS,
  maxTagLength: 63,
  allowedEnvironments: [],
  maxAttributes: ATTRIBUTES_MAX_PROPERTIES,
  maxAttributeValueLength: ATTRIBUTE_VALUE_MAX_LENGTH,
};

/** Tight limits, so that many CRD-valid specs exceed one. */
const TIGHT_LIMITS: ValidationLimits = {
  maxTags: 3,
  maxTagLength: 8,
  allowedEnvironments: ['prod', 'staging'],
  maxAttributes: 2,
  maxAttributeValueLength: 16,
};

/** Counts a string's length as the API server's OpenAPI `maxLength` does: in code points. */
function codePoints(text: string): number {
  return [...text].length;
}

/** Any string of at most `max` code points, with astral characters and control bytes. */
function text(max: number): fc.Arbitrary<string> {
  const unit = fc.oneof(
    fc.constantFrom('a', ' ', '\u0000', '\n', '"', '\\', 'é', '😀', '\u{10FFFF}', '\u202E'),
    fc.string({ unit: 'grapheme-ascii', maxLength: 1 }),
  );
  const mixed = fc.string({ unit, maxLength: Math.min(2 * max, 600) });
  // Strings of astral characters near the limit: twice as long in UTF-16 as in code points.
  const astral = fc.integer({ min: max - 2, max }).map((count) => '\u{1F600}'.repeat(count));
  return fc.oneof(mixed, astral).filter((value) => codePoints(value) <= max);
}

function matching(pattern: string, maxLength: number): fc.Arbitrary<string> {
  return fc.stringMatching(new RegExp(pattern)).filter((value) => value.length <= maxLength);
}

const dns1123Label = matching(DNS1123_LABEL_PATTERN, 63);

/** A SemVer version that the CRD pattern accepts, with numbers up to 2^53 - 1. */
const version = fc
  .tuple(
    fc.boolean(),
    fc.array(fc.maxSafeNat(), { minLength: 3, maxLength: 3 }),
    fc.option(fc.constantFrom('rc.1', '0', 'alpha-1.beta', '0a', 'x.7.z.92'), { nil: undefined }),
    fc.option(fc.constantFrom('build.5', '001', 'sha-abc.0'), { nil: undefined }),
  )
  .map(([v, numbers, pre, build]) => {
    const core = numbers.join('.');
    return `${v ? 'v' : ''}${core}${pre === undefined ? '' : `-${pre}`}${build === undefined ? '' : `+${build}`}`;
  })
  .filter((value) => value.length <= VERSION_MAX_LENGTH);

const tag = matching(TAG_PATTERN, 63);

/** A label key: an optional DNS-1123 subdomain prefix of at most 253 characters, then a name. */
const attributeKey = fc
  .tuple(
    fc.option(fc.array(dns1123Label, { minLength: 1, maxLength: 5 }), { nil: undefined }),
    fc.stringMatching(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/),
  )
  .map(([prefix, name]) => (prefix === undefined ? name : `${prefix.join('.')}/${name}`))
  .filter((key) => !key.includes('/') || key.indexOf('/') <= 253);

const endpoint = fc.record({
  name: dns1123Label,
  url: matching(ENDPOINT_URL_PATTERN, 2048),
});

/** A spec that the CRD's openAPIV3Schema and its CEL rule accept. */
const crdValidSpec = fc.record(
  {
    service: dns1123Label,
    version,
    environment: dns1123Label,
    region: dns1123Label,
    tags: fc.uniqueArray(tag, { maxLength: 80 }),
    attributes: fc.dictionary(attributeKey, text(ATTRIBUTE_VALUE_MAX_LENGTH), {
      maxKeys: ATTRIBUTES_MAX_PROPERTIES,
    }),
    owner: text(OWNER_MAX_LENGTH),
    description: text(DESCRIPTION_MAX_LENGTH),
    endpoints: fc.uniqueArray(endpoint, {
      maxLength: ENDPOINTS_MAX_ITEMS,
      selector: (item) => item.name,
    }),
  },
  { requiredKeys: ['service', 'version', 'environment', 'region'] },
);

function objectWith(spec: unknown): ServiceMetadata {
  return {
    apiVersion: 'mesh.datapunk.io/v1alpha1',
    kind: 'ServiceMetadata',
    metadata: { namespace: 'fuzz', name: 'fuzz', uid: 'uid-fuzz', generation: 2 },
    spec,
  } as ServiceMetadata;
}

describe('validateServiceMetadata fuzz', () => {
  test('CRD-valid specs are valid at the caps', () => {
    fc.assert(
      fc.property(crdValidSpec, (spec) => {
        const result = validateServiceMetadata(spec, CAP_LIMITS);
        assert.equal(result.valid ? '' : result.message, '');
        if (result.valid) {
          const record = toRecord(objectWith(spec), result.spec);
          assert.equal(record.key, 'fuzz/fuzz');
          assert.equal(record.service, spec.service);
        }
      }),
      { numRuns: RUNS },
    );
  });

  test('CRD-valid specs end indexed or Valid=False', () => {
    fc.assert(
      fc.property(crdValidSpec, (spec) => {
        const result = validateServiceMetadata(spec, TIGHT_LIMITS);
        if (result.valid) {
          assert.equal(toRecord(objectWith(spec), result.spec).environment, spec.environment);
          return;
        }

        const status = desiredStatus(undefined, 2, result, new Date(0));
        const valid = status.conditions?.find(
          (condition) => condition.type === ConditionType.Valid,
        );
        assert.equal(valid?.status, 'False');
        assert.ok((valid?.message ?? '').length > 0);
      }),
      { numRuns: RUNS },
    );
  });
});
