import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import fc from 'fast-check';

import {
  displayVersion,
  validateServiceMetadata,
  type ValidationLimits,
  type ValidationResult,
} from '../../../src/api/service-metadata.ts';
import { metadataConfigSchema } from '../../../src/config.ts';

const DEFAULT_LIMITS: ValidationLimits = metadataConfigSchema.parse({});

/** The hard caps, so that a test of the schema step is not stopped by a lower limit first. */
const CAP_LIMITS: ValidationLimits = {
  maxTags: 256,
  maxTagLength: 63,
  allowedEnvironments: [],
  maxAttributes: 64,
  maxAttributeValueLength: 256,
};

const BASE = {
  service: 'payment-gateway',
  version: '2.4.1',
  environment: 'production',
  region: 'eu-west',
};

function failure(result: ValidationResult): Extract<ValidationResult, { valid: false }> {
  assert.equal(result.valid, false, 'expected the spec to be rejected');
  return result as Extract<ValidationResult, { valid: false }>;
}

function success(result: ValidationResult): Extract<ValidationResult, { valid: true }> {
  assert.equal(result.valid, true, result.valid ? '' : result.message);
  return result as Extract<ValidationResult, { valid: true }>;
}

function tagList(count: number): string[] {
  return Array.from({ length: count }, (_, index) => `tag-${index}`);
}

function attributeMap(count: number): Record<string, string> {
  return Object.fromEntries(Array.from({ length: count }, (_, index) => [`key-${index}`, 'v']));
}

describe('validateServiceMetadata normalization', () => {
  test('minimal spec gets empty collections', () => {
    const { spec } = success(validateServiceMetadata(BASE, DEFAULT_LIMITS));

    assert.deepEqual(spec, { ...BASE, tags: [], attributes: {}, endpoints: [] });
    assert.equal(Object.hasOwn(spec, 'owner'), false);
    assert.equal(Object.hasOwn(spec, 'description'), false);
  });

  const versions: ReadonlyArray<[string, string]> = [
    ['v2.4.1', '2.4.1'],
    ['2.4.1+build.7', '2.4.1+build.7'],
    ['v2.4.1+build.7', '2.4.1+build.7'],
    ['1.0.0-rc.1', '1.0.0-rc.1'],
    ['v0.0.0-alpha.1+exp.sha.5114f85', '0.0.0-alpha.1+exp.sha.5114f85'],
  ];
  for (const [version, display] of versions) {
    test(`display version of ${version}`, () => {
      const { spec } = success(validateServiceMetadata({ ...BASE, version }, DEFAULT_LIMITS));
      assert.equal(spec.version, display);
      assert.equal(displayVersion(version), display);
    });
  }

  test('tags unique and sorted by code unit', () => {
    const tags = ['pci', 'critical', 'Critical', 'team:payments', 'pci', 'a/b', 'Z9'];
    const { spec } = success(validateServiceMetadata({ ...BASE, tags }, DEFAULT_LIMITS));

    assert.deepEqual(spec.tags, ['Critical', 'Z9', 'a/b', 'critical', 'pci', 'team:payments']);
  });

  test('attributes sorted by key', () => {
    const attributes = { tier: 'backend', 'datapunk.io/cost-center': 'cc-1', constructor: 'x' };
    const { spec } = success(validateServiceMetadata({ ...BASE, attributes }, DEFAULT_LIMITS));

    assert.deepEqual(Object.keys(spec.attributes), [
      'constructor',
      'datapunk.io/cost-center',
      'tier',
    ]);
    assert.equal(spec.attributes['constructor'], 'x');
    assert.equal(Object.hasOwn(spec.attributes, 'constructor'), true);
  });

  test('owner, description and endpoints kept', () => {
    const input = {
      ...BASE,
      owner: 'payments-core',
      description: 'Authorizes card payments.',
      endpoints: [
        { name: 'grpc', url: 'grpc://payment-gateway.payments.svc:9090' },
        { name: 'api', url: 'https://payments.example/v1?x=1' },
      ],
    };
    const { spec } = success(validateServiceMetadata(input, DEFAULT_LIMITS));

    assert.equal(spec.owner, 'payments-core');
    assert.equal(spec.description, 'Authorizes card payments.');
    assert.deepEqual(spec.endpoints, input.endpoints);
  });

  test('null optional fields count as absent', () => {
    const input = { ...BASE, tags: null, attributes: null, owner: null, endpoints: null };
    const { spec } = success(validateServiceMetadata(input, DEFAULT_LIMITS));

    assert.deepEqual(spec, { ...BASE, tags: [], attributes: {}, endpoints: [] });
  });

  test('unknown fields dropped', () => {
    const { spec } = success(validateServiceMetadata({ ...BASE, extra: 1 }, DEFAULT_LIMITS));
    assert.equal(Object.hasOwn(spec, 'extra'), false);
  });

  test('input not modified', () => {
    const input = { ...BASE, version: 'v1.0.0', tags: ['b', 'a'] };
    validateServiceMetadata(input, DEFAULT_LIMITS);
    assert.deepEqual(input, { ...BASE, version: 'v1.0.0', tags: ['b', 'a'] });
  });
});

describe('validateServiceMetadata schema failures', () => {
  const cases: ReadonlyArray<{
    name: string;
    spec: unknown;
    field: string;
    message: string;
  }> = [
    {
      name: 'null spec',
      spec: null,
      field: 'spec',
      message: 'invalid spec null: must be an object',
    },
    { name: 'absent spec', spec: undefined, field: 'spec', message: 'missing spec' },
    { name: 'list spec', spec: [], field: 'spec', message: 'invalid spec (a list of 0 items)' },
    { name: 'number spec', spec: 42, field: 'spec', message: 'invalid spec 42: must be an object' },
    {
      name: 'missing region',
      spec: { service: 's', version: '1.0.0', environment: 'e' },
      field: 'spec.region',
      message: 'missing spec.region: the field is required',
    },
    {
      name: 'uppercase service',
      spec: { ...BASE, service: 'PaymentGateway' },
      field: 'spec.service',
      message: 'invalid spec.service "PaymentGateway": must be a DNS-1123 label',
    },
    {
      name: 'service too long',
      spec: { ...BASE, service: 'a'.repeat(70) },
      field: 'spec.service',
      message: '..." (70 characters): must be at most 63 characters',
    },
    {
      name: 'environment ends with dash',
      spec: { ...BASE, environment: 'prod-' },
      field: 'spec.environment',
      message: 'invalid spec.environment "prod-": must be a DNS-1123 label',
    },
    {
      name: 'version not semver',
      spec: { ...BASE, version: 'not-a-version' },
      field: 'spec.version',
      message: 'invalid spec.version "not-a-version": must be a SemVer 2.0.0 version',
    },
    {
      name: 'version with two parts',
      spec: { ...BASE, version: '1.2' },
      field: 'spec.version',
      message: 'invalid spec.version "1.2"',
    },
    {
      name: 'version with leading zero',
      spec: { ...BASE, version: '01.2.3' },
      field: 'spec.version',
      message: 'invalid spec.version "01.2.3"',
    },
    {
      name: 'version uppercase V',
      spec: { ...BASE, version: 'V1.2.3' },
      field: 'spec.version',
      message: 'invalid spec.version "V1.2.3"',
    },
    {
      name: 'version beyond node-semver',
      spec: { ...BASE, version: '1.2.99999999999999999999' },
      field: 'spec.version',
      message: 'at most 9007199254740991',
    },
    {
      name: 'version too long',
      spec: { ...BASE, version: `1.0.0+${'a'.repeat(200)}` },
      field: 'spec.version',
      message: 'must be at most 128 characters',
    },
    {
      name: 'version a number',
      spec: { ...BASE, version: 2 },
      field: 'spec.version',
      message: 'invalid spec.version 2: must be a string',
    },
    {
      name: 'tags a string',
      spec: { ...BASE, tags: 'pci' },
      field: 'spec.tags',
      message: 'invalid spec.tags "pci": must be a list of strings',
    },
    {
      name: 'tag with space',
      spec: { ...BASE, tags: ['pci', 'team payments'] },
      field: 'spec.tags[1]',
      message: 'invalid spec.tags[1] "team payments": must be ASCII letters',
    },
    {
      name: 'tag empty',
      spec: { ...BASE, tags: [''] },
      field: 'spec.tags[0]',
      message: 'invalid spec.tags[0] "": must be at least 1 character',
    },
    {
      name: 'tag ends with colon',
      spec: { ...BASE, tags: ['team:'] },
      field: 'spec.tags[0]',
      message: 'invalid spec.tags[0] "team:"',
    },
    {
      name: 'tag over hard length',
      spec: { ...BASE, tags: ['a'.repeat(64)] },
      field: 'spec.tags[0]',
      message: 'must be at most 63 characters',
    },
    {
      name: 'tags over hard cap',
      spec: { ...BASE, tags: tagList(257) },
      field: 'spec.tags',
      message: 'invalid spec.tags (a list of 257 items): must have at most 256 items',
    },
    {
      name: 'attributes a list',
      spec: { ...BASE, attributes: ['a'] },
      field: 'spec.attributes',
      message: 'invalid spec.attributes (a list of 1 item): must be a map of strings',
    },
    {
      name: 'attribute value a number',
      spec: { ...BASE, attributes: { team: 5 } },
      field: 'spec.attributes["team"]',
      message: 'invalid spec.attributes["team"] 5: must be a string',
    },
    {
      name: 'attribute key uppercase prefix',
      spec: { ...BASE, attributes: { 'Example.com/tier': 'x' } },
      field: 'spec.attributes["Example.com/tier"]',
      message: 'invalid key spec.attributes["Example.com/tier"]: must be a Kubernetes label key',
    },
    {
      name: 'attribute key with two slashes',
      spec: { ...BASE, attributes: { 'a/b/c': 'x' } },
      field: 'spec.attributes["a/b/c"]',
      message: 'invalid key',
    },
    {
      name: 'attribute key name too long',
      spec: { ...BASE, attributes: { [`a/${'b'.repeat(64)}`]: 'x' } },
      field: `spec.attributes["a/${'b'.repeat(62)}..."]`,
      message: 'must be a Kubernetes label key',
    },
    {
      name: 'attribute key prefix too long',
      spec: { ...BASE, attributes: { [`${'a'.repeat(254)}/b`]: 'x' } },
      field: `spec.attributes["${'a'.repeat(64)}..."]`,
      message: 'must have a prefix of at most 253 characters',
    },
    {
      name: 'attribute key far too long',
      spec: { ...BASE, attributes: { [`${'a'.repeat(400)}/b`]: 'x' } },
      field: `spec.attributes["${'a'.repeat(64)}..."]`,
      message: 'must be at most 317 characters',
    },
    {
      name: 'attribute value over hard length',
      spec: { ...BASE, attributes: { team: 'x'.repeat(257) } },
      field: 'spec.attributes["team"]',
      message: '(257 characters): must be at most 256 characters',
    },
    {
      name: 'attributes over hard cap',
      spec: { ...BASE, attributes: attributeMap(65) },
      field: 'spec.attributes',
      message: 'must have at most 64 entries',
    },
    {
      name: 'owner too long',
      spec: { ...BASE, owner: 'o'.repeat(254) },
      field: 'spec.owner',
      message: 'must be at most 253 characters',
    },
    {
      name: 'description too long',
      spec: { ...BASE, description: 'd'.repeat(1025) },
      field: 'spec.description',
      message: 'must be at most 1024 characters',
    },
    {
      name: 'endpoint without url',
      spec: { ...BASE, endpoints: [{ name: 'grpc' }] },
      field: 'spec.endpoints[0].url',
      message: 'missing spec.endpoints[0].url: the field is required',
    },
    {
      name: 'endpoint url without scheme',
      spec: { ...BASE, endpoints: [{ name: 'web', url: 'payments.example' }] },
      field: 'spec.endpoints[0].url',
      message: 'invalid spec.endpoints[0].url "payments.example": must be a URL',
    },
    {
      name: 'endpoint url with space',
      spec: { ...BASE, endpoints: [{ name: 'web', url: 'http://a b' }] },
      field: 'spec.endpoints[0].url',
      message: 'invalid spec.endpoints[0].url "http://a b"',
    },
    {
      name: 'endpoint names repeat',
      spec: {
        ...BASE,
        endpoints: [
          { name: 'grpc', url: 'grpc://a:1' },
          { name: 'grpc', url: 'grpc://b:1' },
        ],
      },
      field: 'spec.endpoints[1].name',
      message: 'must be unique, but spec.endpoints[0] has the same name',
    },
    {
      name: 'endpoints over hard cap',
      spec: {
        ...BASE,
        endpoints: Array.from({ length: 33 }, (_, i) => ({ name: `e${i}`, url: 'http://a' })),
      },
      field: 'spec.endpoints',
      message: 'must have at most 32 items',
    },
  ];

  for (const { name, spec, field, message } of cases) {
    test(name, () => {
      const result = failure(validateServiceMetadata(spec, CAP_LIMITS));

      assert.equal(result.reason, 'InvalidValue');
      assert.equal(result.field, field);
      assert.ok(result.message.includes(message), result.message);
    });
  }

  test('schema failure reported before a limit', () => {
    const spec = { ...BASE, tags: tagList(70), region: 'EU' };
    const result = failure(validateServiceMetadata(spec, DEFAULT_LIMITS));

    assert.equal(result.reason, 'InvalidValue');
    assert.equal(result.field, 'spec.region');
  });
});

describe('validateServiceMetadata configured limits', () => {
  test('too many tags', () => {
    const result = failure(validateServiceMetadata({ ...BASE, tags: tagList(70) }, DEFAULT_LIMITS));

    assert.equal(result.reason, 'LimitExceeded');
    assert.equal(result.field, 'spec.tags');
    assert.equal(result.message, 'spec.tags has 70 items, more than the limit of 64');
  });

  test('tags at the limit pass', () => {
    success(validateServiceMetadata({ ...BASE, tags: tagList(64) }, DEFAULT_LIMITS));
  });

  test('duplicate tags count once', () => {
    const tags = [...tagList(64), 'tag-0', 'tag-1'];
    success(validateServiceMetadata({ ...BASE, tags }, DEFAULT_LIMITS));
  });

  test('long tag names its index in the spec', () => {
    const limits = { ...DEFAULT_LIMITS, maxTagLength: 10 };
    const spec = { ...BASE, tags: ['zz', 'a-long-tag-name', 'aa'] };
    const result = failure(validateServiceMetadata(spec, limits));

    assert.equal(result.reason, 'LimitExceeded');
    assert.equal(result.field, 'spec.tags[1]');
    assert.equal(
      result.message,
      'spec.tags[1] "a-long-tag-name" has 15 characters, more than the limit of 10',
    );
  });

  test('too many attributes', () => {
    const spec = { ...BASE, attributes: attributeMap(33) };
    const result = failure(validateServiceMetadata(spec, DEFAULT_LIMITS));

    assert.equal(result.reason, 'LimitExceeded');
    assert.equal(result.field, 'spec.attributes');
    assert.equal(result.message, 'spec.attributes has 33 entries, more than the limit of 32');
  });

  test('zero attributes allowed', () => {
    const limits = { ...DEFAULT_LIMITS, maxAttributes: 0 };
    success(validateServiceMetadata({ ...BASE, attributes: {} }, limits));
    const result = failure(validateServiceMetadata({ ...BASE, attributes: { a: 'b' } }, limits));
    assert.equal(result.reason, 'LimitExceeded');
  });

  test('long attribute value', () => {
    const limits = { ...DEFAULT_LIMITS, maxAttributeValueLength: 8 };
    const spec = { ...BASE, attributes: { team: 'payments-core' } };
    const result = failure(validateServiceMetadata(spec, limits));

    assert.equal(result.reason, 'LimitExceeded');
    assert.equal(result.field, 'spec.attributes["team"]');
    assert.equal(
      result.message,
      'spec.attributes["team"] "payments-core" has 13 characters, more than the limit of 8',
    );
  });

  test('environment outside the allowed list', () => {
    const limits = { ...DEFAULT_LIMITS, allowedEnvironments: ['production', 'staging'] };
    const result = failure(validateServiceMetadata({ ...BASE, environment: 'qa' }, limits));

    assert.equal(result.reason, 'InvalidValue');
    assert.equal(result.field, 'spec.environment');
    assert.equal(
      result.message,
      'invalid spec.environment "qa": must be one of the allowed environments: production, staging',
    );
  });

  test('environment in the allowed list', () => {
    const limits = { ...DEFAULT_LIMITS, allowedEnvironments: ['production', 'staging'] };
    success(validateServiceMetadata(BASE, limits));
  });
});

describe('validateServiceMetadata hostile input', () => {
  const inputs: ReadonlyArray<[string, () => unknown]> = [
    ['true', () => true],
    ['a symbol', () => Symbol('spec')],
    ['a function', () => () => BASE],
    ['a bigint', () => 10n],
    ['a Map', () => new Map(Object.entries(BASE))],
    ['a huge string', () => 'x'.repeat(5_000_000)],
    ['a huge version', () => ({ ...BASE, version: `1.0.0-${'0'.repeat(5_000_000)}` })],
    ['a huge tag list', () => ({ ...BASE, tags: tagList(1_000_000) })],
    ['nested lists in tags', () => ({ ...BASE, tags: [[['a']]] })],
    ['a __proto__ spec key', (): unknown => JSON.parse('{"__proto__": {"service": "x"}}')],
    ['a null-prototype spec', (): unknown => Object.assign(Object.create(null), { service: 1 })],
    [
      'a throwing getter',
      () => Object.defineProperty({ ...BASE }, 'tags', { get: throwError, enumerable: true }),
    ],
    [
      'a proxy tag list that throws',
      () => ({ ...BASE, tags: new Proxy(['a b'], { getOwnPropertyDescriptor: throwError }) }),
    ],
    [
      'a throwing proxy',
      () => new Proxy({}, { get: throwError, ownKeys: throwError, has: throwError }),
    ],
  ];

  for (const [name, makeInput] of inputs) {
    test(`${name} rejected without throwing`, () => {
      const result = failure(validateServiceMetadata(makeInput(), DEFAULT_LIMITS));

      assert.equal(result.reason, 'InvalidValue');
      assert.ok(result.message.length < 1000, `message has ${result.message.length} characters`);
    });
  }

  test('__proto__ attribute key rejected', () => {
    const attributes = JSON.parse('{"__proto__": "polluted", "team": "x"}') as unknown;
    const result = failure(validateServiceMetadata({ ...BASE, attributes }, DEFAULT_LIMITS));

    assert.equal(result.field, 'spec.attributes["__proto__"]');
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
    assert.equal(Object.getPrototypeOf({}), Object.prototype);
  });

  test('__proto__ in a null-prototype attributes map rejected', () => {
    const attributes = Object.assign(Object.create(null) as object, { ['__proto__']: 'x' });
    const result = failure(validateServiceMetadata({ ...BASE, attributes }, DEFAULT_LIMITS));
    assert.equal(result.field, 'spec.attributes["__proto__"]');
  });

  test('arbitrary values never throw', () => {
    fc.assert(
      fc.property(fc.anything({ withNullPrototype: true, withBigInt: true }), (value) => {
        const result = validateServiceMetadata(value, DEFAULT_LIMITS);
        return !result.valid && result.message.length > 0;
      }),
      { numRuns: 500 },
    );
  });

  test('arbitrary field values never throw', () => {
    const field = fc.constantFrom('service', 'version', 'tags', 'attributes', 'endpoints', 'owner');
    fc.assert(
      fc.property(field, fc.anything({ withNullPrototype: true }), (name, value) => {
        const result = validateServiceMetadata({ ...BASE, [name]: value }, DEFAULT_LIMITS);
        return result.valid || (result.field.startsWith('spec') && result.message.length > 0);
      }),
      { numRuns: 1000 },
    );
  });
});

function throwError(): never {
  throw new Error('hostile accessor');
}

describe('validateServiceMetadata attribute value length', () => {
  // The API server counts maxLength in code points, so 256 astral characters pass admission
  // although they are 512 UTF-16 code units.
  const astral = (count: number): string => '\u{1F600}'.repeat(count);

  test('256 astral characters valid', () => {
    const result = validateServiceMetadata(
      { ...BASE, attributes: { k: astral(256) } },
      DEFAULT_LIMITS,
    );
    assert.equal(result.valid, true);
  });

  test('257 astral characters invalid', () => {
    const result = validateServiceMetadata(
      { ...BASE, attributes: { k: astral(257) } },
      DEFAULT_LIMITS,
    );
    assert.match(failure(result).message, /must be at most 256 characters$/);
  });

  test('configured limit counts code points', () => {
    const limits = { ...DEFAULT_LIMITS, maxAttributeValueLength: 10 };
    const result = validateServiceMetadata({ ...BASE, attributes: { k: astral(11) } }, limits);
    assert.match(failure(result).message, /has 11 characters/);
    assert.equal(
      validateServiceMetadata({ ...BASE, attributes: { k: astral(10) } }, limits).valid,
      true,
    );
  });
});
