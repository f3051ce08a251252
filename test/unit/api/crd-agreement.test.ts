import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';

import { parse } from 'yaml';

import * as limits from '../../../src/api/limits.ts';
import { validateServiceMetadata } from '../../../src/api/service-metadata.ts';
import {
  API_VERSION,
  GROUP,
  SERVICE_METADATA_KIND,
  SERVICE_METADATA_PLURAL,
  VERSION,
} from '../../../src/api/types.ts';
import { loadConfig, metadataConfigSchema } from '../../../src/config.ts';

const CRD_URL = new URL('../../../crds/servicemetadatas.mesh.datapunk.io.yaml', import.meta.url);
const KUSTOMIZATION_URL = new URL('../../../crds/kustomization.yaml', import.meta.url);

/** The parts of a JSON schema that this test reads. */
interface Schema {
  type?: string;
  pattern?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  maxItems?: number;
  maxProperties?: number;
  minimum?: number;
  enum?: string[];
  required?: string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: Schema;
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-validations'?: Array<{ rule: string; message?: string }>;
}

interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
}

interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  subresources?: { status?: object };
  additionalPrinterColumns?: PrinterColumn[];
  schema: { openAPIV3Schema: Schema };
}

interface Crd {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: {
    group: string;
    scope: string;
    names: Record<string, unknown>;
    versions: CrdVersion[];
  };
}

const crd = parse(readFileSync(CRD_URL, 'utf8')) as Crd;
const version = crd.spec.versions[0];
const root = version?.schema.openAPIV3Schema;
const spec = property(root, 'spec');
const status = property(root, 'status');

/** Returns the named property of a schema, failing the test when it is absent. */
function property(schema: Schema | undefined, name: string): Schema {
  const found = schema?.properties?.[name];
  assert.ok(found, `the CRD schema has no property ${name}`);
  return found;
}

describe('CRD identity', () => {
  test('names the group, kind and plural of the API types', () => {
    assert.equal(crd.metadata.name, `${SERVICE_METADATA_PLURAL}.${GROUP}`);
    assert.equal(crd.spec.group, GROUP);
    assert.equal(crd.spec.scope, 'Namespaced');
    assert.equal(crd.spec.names['kind'], SERVICE_METADATA_KIND);
    assert.equal(crd.spec.names['plural'], SERVICE_METADATA_PLURAL);
    assert.equal(crd.spec.names['singular'], 'servicemetadata');
    assert.deepEqual(crd.spec.names['shortNames'], ['smd']);
    assert.deepEqual(crd.spec.names['categories'], ['datapunk']);
  });

  test('serves and stores the one version', () => {
    assert.equal(crd.spec.versions.length, 1);
    assert.equal(version?.name, VERSION);
    assert.equal(version?.served, true);
    assert.equal(version?.storage, true);
    assert.equal(`${crd.spec.group}/${version?.name}`, API_VERSION);
  });

  test('has the status subresource', () => {
    assert.deepEqual(version?.subresources, { status: {} });
  });

  test('prints service, version, environment, region, Ready and age', () => {
    const columns = (version?.additionalPrinterColumns ?? []).map(
      (column) => `${column.name} ${column.type} ${column.jsonPath}`,
    );
    assert.deepEqual(columns, [
      'Service string .spec.service',
      'Version string .spec.version',
      'Environment string .spec.environment',
      'Region string .spec.region',
      'Ready string .status.conditions[?(@.type=="Ready")].status',
      'Age date .metadata.creationTimestamp',
    ]);
  });

  test('kustomization lists the CRD files', () => {
    const kustomization = parse(readFileSync(KUSTOMIZATION_URL, 'utf8')) as { resources: string[] };
    assert.deepEqual(kustomization.resources, [
      'servicemetadatas.mesh.datapunk.io.yaml',
      'metadataqueries.mesh.datapunk.io.yaml',
      'clustermetadataqueries.mesh.datapunk.io.yaml',
    ]);
  });
});

describe('CRD spec schema and src/api/limits', () => {
  test('required fields', () => {
    assert.deepEqual(spec.required, [...limits.SPEC_REQUIRED_FIELDS]);
    assert.deepEqual(root?.required, ['spec']);
  });

  const labelFields = ['service', 'environment', 'region'];
  for (const name of labelFields) {
    test(`${name} is a DNS-1123 label`, () => {
      const field = property(spec, name);
      assert.equal(field.type, 'string');
      assert.equal(field.pattern, limits.DNS1123_LABEL_PATTERN);
      assert.equal(field.maxLength, limits.DNS1123_LABEL_MAX_LENGTH);
    });
  }

  test('version pattern and length', () => {
    const field = property(spec, 'version');
    assert.equal(field.pattern, limits.VERSION_PATTERN);
    assert.equal(field.maxLength, limits.VERSION_MAX_LENGTH);
  });

  test('tags cap, set semantics and item rules', () => {
    const field = property(spec, 'tags');
    assert.equal(field.maxItems, limits.TAGS_MAX_ITEMS);
    assert.equal(field['x-kubernetes-list-type'], 'set');
    assert.equal(field.items?.pattern, limits.TAG_PATTERN);
    assert.equal(field.items?.minLength, limits.TAG_MIN_LENGTH);
    assert.equal(field.items?.maxLength, limits.TAG_MAX_LENGTH);
  });

  test('attributes cap and value length', () => {
    const field = property(spec, 'attributes');
    assert.equal(field.maxProperties, limits.ATTRIBUTES_MAX_PROPERTIES);
    assert.equal(field.additionalProperties?.type, 'string');
    assert.equal(field.additionalProperties?.maxLength, limits.ATTRIBUTE_VALUE_MAX_LENGTH);
  });

  test('attribute key rule is the same CEL rule and regex', () => {
    const rules = property(spec, 'attributes')['x-kubernetes-validations'] ?? [];
    assert.equal(rules.length, 1);
    assert.equal(rules[0]?.rule, limits.ATTRIBUTE_KEYS_RULE);
    assert.ok(rules[0]?.rule.includes(`k.matches('${limits.ATTRIBUTE_KEY_PATTERN}')`));
    assert.ok(rules[0]?.rule.includes(`<= ${limits.ATTRIBUTE_KEY_PREFIX_MAX_LENGTH}`));
    assert.ok(rules[0]?.message?.includes('label key'));
  });

  test('owner and description lengths', () => {
    assert.equal(property(spec, 'owner').maxLength, limits.OWNER_MAX_LENGTH);
    assert.equal(property(spec, 'description').maxLength, limits.DESCRIPTION_MAX_LENGTH);
  });

  test('endpoints cap, map key and item rules', () => {
    const field = property(spec, 'endpoints');
    const item = field.items;
    assert.equal(field.maxItems, limits.ENDPOINTS_MAX_ITEMS);
    assert.equal(field['x-kubernetes-list-type'], 'map');
    assert.deepEqual(field['x-kubernetes-list-map-keys'], ['name']);
    assert.deepEqual(item?.required, [...limits.ENDPOINT_REQUIRED_FIELDS]);
    assert.equal(property(item, 'name').pattern, limits.DNS1123_LABEL_PATTERN);
    assert.equal(property(item, 'name').maxLength, limits.DNS1123_LABEL_MAX_LENGTH);
    assert.equal(property(item, 'url').pattern, limits.ENDPOINT_URL_PATTERN);
    assert.equal(property(item, 'url').maxLength, limits.ENDPOINT_URL_MAX_LENGTH);
  });

  test('declares no spec field that src/api does not know', () => {
    const known = [
      ...limits.SPEC_REQUIRED_FIELDS,
      'tags',
      'attributes',
      'owner',
      'description',
      'endpoints',
    ];
    assert.deepEqual(Object.keys(spec.properties ?? {}).sort(), known.sort());
  });

  test('every string and list is bounded', () => {
    const unbounded = findUnbounded(spec, 'spec');
    assert.deepEqual(unbounded, []);
  });
});

describe('CRD patterns and the zod schema', () => {
  const capLimits = {
    maxTags: limits.TAGS_MAX_ITEMS,
    maxTagLength: limits.TAG_MAX_LENGTH,
    allowedEnvironments: [],
    maxAttributes: limits.ATTRIBUTES_MAX_PROPERTIES,
    maxAttributeValueLength: limits.ATTRIBUTE_VALUE_MAX_LENGTH,
  };
  const base = { service: 's', version: '1.0.0', environment: 'e', region: 'r' };
  const rule = property(spec, 'attributes')['x-kubernetes-validations']?.[0]?.rule ?? '';
  const keyPattern = /k\.matches\('([^']+)'\)/.exec(rule)?.[1] ?? '';

  /** Samples of each field, and how the CRD's own pattern decides them. */
  const samples: ReadonlyArray<{ field: string; pattern: string | undefined; values: string[] }> = [
    {
      field: 'service',
      pattern: property(spec, 'service').pattern,
      values: ['a', 'payments-api', 'A', '-a', 'a-', 'a_b', 'a.b', '0'],
    },
    {
      field: 'version',
      pattern: property(spec, 'version').pattern,
      values: [
        '1.0.0',
        'v1.0.0',
        'V1.0.0',
        '1.0',
        '01.0.0',
        '1.0.0-rc.1',
        '1.0.0-01',
        '1.0.0+b.7',
        '1.0.0+',
      ],
    },
    {
      field: 'tags',
      pattern: property(spec, 'tags').items?.pattern,
      values: ['pci', 'team:payments', 'a/b', 'A.b_c-d', 'a b', ':a', 'a:', 'é'],
    },
    {
      field: 'attributes',
      pattern: keyPattern,
      values: [
        'team',
        'example.com/tier',
        'a/B_c.d',
        'A/b',
        'a/b/c',
        '/b',
        'a..b/c',
        '_a',
        `x/${'n'.repeat(64)}`,
      ],
    },
    {
      field: 'endpoints',
      pattern: property(spec, 'endpoints').items?.properties?.['url']?.pattern,
      values: ['grpc://a:9090', 'https://a/b?c=d', 'HTTP://a', 'a b://c', 'http://a b', 'http://'],
    },
  ];

  function specWith(field: string, value: string): Record<string, unknown> {
    switch (field) {
      case 'tags':
        return { ...base, tags: [value] };
      case 'attributes':
        return { ...base, attributes: { [value]: 'v' } };
      case 'endpoints':
        return { ...base, endpoints: [{ name: 'e', url: value }] };
      default:
        return { ...base, [field]: value };
    }
  }

  for (const { field, pattern, values } of samples) {
    test(`${field} decided as the CRD pattern decides`, () => {
      assert.ok(pattern, `no CRD pattern for ${field}`);
      const crdRegExp = new RegExp(pattern);
      for (const value of values) {
        const result = validateServiceMetadata(specWith(field, value), capLimits);
        assert.equal(result.valid, crdRegExp.test(value), `${field} ${JSON.stringify(value)}`);
      }
    });
  }
});

describe('CRD status schema', () => {
  const conditions = property(status, 'conditions');
  const item = conditions.items;

  test('conditions are a map keyed by type', () => {
    assert.equal(conditions.maxItems, limits.CONDITIONS_MAX_ITEMS);
    assert.equal(conditions['x-kubernetes-list-type'], 'map');
    assert.deepEqual(conditions['x-kubernetes-list-map-keys'], ['type']);
  });

  test('condition items have the metav1.Condition shape', () => {
    assert.deepEqual(item?.required, ['type', 'status', 'reason', 'message', 'lastTransitionTime']);
    assert.deepEqual(property(item, 'status').enum, ['True', 'False', 'Unknown']);
    assert.equal(property(item, 'lastTransitionTime').format, 'date-time');
    assert.equal(property(item, 'message').maxLength, limits.CONDITION_MESSAGE_MAX_LENGTH);
    assert.equal(property(item, 'observedGeneration').format, 'int64');
  });

  test('observedGeneration is an int64', () => {
    assert.equal(property(status, 'observedGeneration').type, 'integer');
    assert.equal(property(status, 'observedGeneration').format, 'int64');
  });
});

describe('configuration caps and src/api/limits', () => {
  const caps: ReadonlyArray<{ key: string; flag: string; cap: number }> = [
    { key: 'maxTags', flag: '--max-tags', cap: limits.TAGS_MAX_ITEMS },
    { key: 'maxTagLength', flag: '--max-tag-length', cap: limits.TAG_MAX_LENGTH },
    { key: 'maxAttributes', flag: '--max-attributes', cap: limits.ATTRIBUTES_MAX_PROPERTIES },
    {
      key: 'maxAttributeValueLength',
      flag: '--max-attribute-value-length',
      cap: limits.ATTRIBUTE_VALUE_MAX_LENGTH,
    },
  ];

  for (const { key, flag, cap } of caps) {
    test(`${key} accepts the hard cap`, () => {
      const config = loadConfig({}, [`${flag}=${cap}`]);
      assert.equal(config[key as keyof typeof config], cap);
    });

    test(`${key} rejects one above the hard cap`, () => {
      assert.throws(() => loadConfig({}, [`${flag}=${cap + 1}`]), { name: 'ConfigError' });
    });
  }

  test('defaults are within the hard caps', () => {
    const defaults = metadataConfigSchema.parse({});
    assert.ok(defaults.maxTags <= limits.TAGS_MAX_ITEMS);
    assert.ok(defaults.maxTagLength <= limits.TAG_MAX_LENGTH);
    assert.ok(defaults.maxAttributes <= limits.ATTRIBUTES_MAX_PROPERTIES);
    assert.ok(defaults.maxAttributeValueLength <= limits.ATTRIBUTE_VALUE_MAX_LENGTH);
  });
});

/**
 * Returns the paths of strings without maxLength (and without enum or a bounded format) and of
 * lists without maxItems, which would make CEL cost estimates unbounded.
 */
function findUnbounded(schema: Schema, path: string): string[] {
  const found: string[] = [];
  if (schema.type === 'string' && schema.maxLength === undefined && schema.enum === undefined) {
    found.push(path);
  }
  if (schema.type === 'array' && schema.maxItems === undefined) {
    found.push(path);
  }
  if (
    schema.type === 'object' &&
    schema.additionalProperties &&
    schema.maxProperties === undefined
  ) {
    found.push(path);
  }
  for (const [name, child] of Object.entries(schema.properties ?? {})) {
    found.push(...findUnbounded(child, `${path}.${name}`));
  }
  if (schema.items) {
    found.push(...findUnbounded(schema.items, `${path}[]`));
  }
  if (schema.additionalProperties) {
    found.push(...findUnbounded(schema.additionalProperties, `${path}{}`));
  }
  return found;
}
