import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';

import { satisfies } from 'semver';
import { parseAllDocuments } from 'yaml';

import {
  serviceMetadataSpecSchema,
  validateServiceMetadata,
  type NormalizedSpec,
  type ValidationLimits,
} from '../../../src/api/service-metadata.ts';
import { API_VERSION, SERVICE_METADATA_KIND } from '../../../src/api/types.ts';
import { metadataConfigSchema } from '../../../src/config.ts';

const EXAMPLES_URL = new URL('../../../examples/', import.meta.url);
const DEFAULT_LIMITS: ValidationLimits = metadataConfigSchema.parse({});
const CAP_LIMITS: ValidationLimits = {
  maxTags: 256,
  maxTagLength: 63,
  allowedEnvironments: [],
  maxAttributes: 64,
  maxAttributeValueLength: 256,
};

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: unknown;
}

/** Parses every document of a YAML file, failing on any YAML error. */
function readManifests(url: URL): Manifest[] {
  const documents = parseAllDocuments(readFileSync(url, 'utf8'));
  assert.ok(Array.isArray(documents), `${url.pathname} is empty`);
  return documents.map((document) => {
    assert.deepEqual(document.errors, [], `${url.pathname} has YAML errors`);
    return document.toJS() as Manifest;
  });
}

const yamlFiles = readdirSync(EXAMPLES_URL)
  .filter((name) => name.endsWith('.yaml'))
  .sort();
const manifests = yamlFiles.flatMap((name) => readManifests(new URL(name, EXAMPLES_URL)));
const namespaces = manifests.filter((manifest) => manifest.kind === 'Namespace');
const objects = manifests.filter((manifest) => manifest.kind === SERVICE_METADATA_KIND);
const limitExceeded = readManifests(new URL('invalid/limit-exceeded.yaml', EXAMPLES_URL));
const schemaInvalid = readManifests(new URL('invalid/schema-invalid.yaml', EXAMPLES_URL));

function key(manifest: Manifest): string {
  return `${manifest.metadata.namespace}/${manifest.metadata.name}`;
}

function normalized(manifest: Manifest): NormalizedSpec {
  const result = validateServiceMetadata(manifest.spec, DEFAULT_LIMITS);
  assert.ok(result.valid, `${key(manifest)}: ${result.valid ? '' : result.message}`);
  return result.spec;
}

/** Returns the `namespace/name` cells of the first column of the table after `heading`. */
function readmeTable(heading: string): string[] {
  const readme = readFileSync(new URL('README.md', EXAMPLES_URL), 'utf8');
  const start = readme.indexOf(heading);
  assert.ok(start >= 0, `README has no "${heading}"`);
  const lines = readme.slice(start).split('\n').slice(1);
  const table = lines.slice(lines.findIndex((line) => line.startsWith('|')));
  const rows = table.slice(
    0,
    table.findIndex((line) => !line.startsWith('|')),
  );
  return rows.slice(2).map((row) => row.split('|')[1]?.trim() ?? '');
}

describe('examples', () => {
  test('namespaces file sorts first', () => {
    assert.equal(yamlFiles[0], '00-namespaces.yaml');
    assert.ok(
      manifests.slice(0, namespaces.length).every((manifest) => manifest.kind === 'Namespace'),
    );
  });

  test('three namespaces hold every object', () => {
    const declared = namespaces.map((manifest) => manifest.metadata.name).sort();
    const used = [...objects, ...limitExceeded, ...schemaInvalid].map((m) => m.metadata.namespace);

    assert.deepEqual(declared, ['payments', 'platform', 'storefront']);
    assert.ok(used.every((namespace) => namespace !== undefined && declared.includes(namespace)));
  });

  test('at least 24 objects with unique names', () => {
    assert.ok(objects.length >= 24, `${objects.length} objects`);
    assert.equal(new Set(objects.map(key)).size, objects.length);
  });

  test('README states the object count', () => {
    const readme = readFileSync(new URL('README.md', EXAMPLES_URL), 'utf8');
    assert.ok(
      readme.includes(`${objects.length} \`ServiceMetadata\` objects`),
      readme.slice(0, 200),
    );
  });

  test('every object has the API version', () => {
    for (const manifest of [...objects, ...limitExceeded, ...schemaInvalid]) {
      assert.equal(manifest.apiVersion, API_VERSION, key(manifest));
    }
  });

  test('every object valid under default limits', () => {
    for (const manifest of objects) {
      normalized(manifest);
    }
  });

  test('three environments and four regions', () => {
    const specs = objects.map(normalized);
    const environments = new Set(specs.map((spec) => spec.environment));
    const regions = new Set(specs.map((spec) => spec.region));

    assert.deepEqual([...environments].sort(), ['development', 'production', 'staging']);
    assert.ok(regions.size >= 4, [...regions].join(','));
  });

  test('versions with prefix, pre-release and build metadata', () => {
    const written = objects.map((manifest) => (manifest.spec as { version: string }).version);
    const majors = new Set(written.map((version) => version.replace(/^v/, '').split('.')[0]));

    assert.ok(written.some((version) => version.startsWith('v')));
    assert.ok(written.some((version) => /^v?\d+\.\d+\.\d+-/.test(version)));
    assert.ok(written.includes('2.4.1+build.7'));
    assert.ok(majors.size >= 4, [...majors].join(','));
  });

  test('tags, attributes, owner and endpoints used', () => {
    const specs = objects.map(normalized);
    const tagCounts = new Map<string, number>();
    for (const tag of specs.flatMap((spec) => spec.tags)) {
      tagCounts.set(tag, (tagCounts.get(tag) ?? 0) + 1);
    }

    for (const tag of ['pci', 'critical', 'grpc', 'http', 'team:payments']) {
      assert.ok((tagCounts.get(tag) ?? 0) >= 2, `tag ${tag} on fewer than 2 objects`);
    }
    assert.ok(specs.every((spec) => spec.attributes['tier'] !== undefined));
    assert.ok(specs.some((spec) => spec.attributes['owner-email'] !== undefined));
    assert.ok(specs.every((spec) => spec.owner !== undefined));
    assert.ok(specs.some((spec) => spec.endpoints.length > 0));
  });
});

describe('examples query tag=critical, production, >=2.0.0', () => {
  const critical = objects.filter((manifest) => normalized(manifest).tags.includes('critical'));
  const matches = critical.filter((manifest) => {
    const spec = normalized(manifest);
    return spec.environment === 'production' && satisfies(spec.version, '>=2.0.0');
  });
  const others = critical.filter((manifest) => !matches.includes(manifest));

  test('at least 3 matches', () => {
    assert.ok(matches.length >= 3, matches.map(key).join(', '));
  });

  test('at least 2 critical objects left out', () => {
    assert.ok(others.length >= 2, others.map(key).join(', '));
  });

  test('README lists the matches', () => {
    assert.deepEqual(readmeTable('## A query'), matches.map(key).sort());
  });

  test('README lists the critical objects left out', () => {
    assert.deepEqual(readmeTable('These objects also carry').sort(), others.map(key).sort());
  });
});

describe('invalid examples', () => {
  test('limit-exceeded passes the schema', () => {
    assert.equal(limitExceeded.length, 1);
    const result = validateServiceMetadata(limitExceeded[0]?.spec, CAP_LIMITS);
    assert.ok(result.valid, result.valid ? '' : result.message);
  });

  test('limit-exceeded exceeds the default tag limit', () => {
    const result = validateServiceMetadata(limitExceeded[0]?.spec, DEFAULT_LIMITS);

    assert.equal(result.valid, false);
    assert.equal(result.valid ? '' : result.reason, 'LimitExceeded');
    assert.equal(result.valid ? '' : result.field, 'spec.tags');
  });

  test('schema-invalid objects fail the zod schema', () => {
    assert.ok(schemaInvalid.length >= 1);
    for (const manifest of schemaInvalid) {
      assert.equal(
        serviceMetadataSpecSchema.safeParse(manifest.spec).success,
        false,
        key(manifest),
      );
      const result = validateServiceMetadata(manifest.spec, CAP_LIMITS);
      assert.equal(result.valid ? '' : result.reason, 'InvalidValue', key(manifest));
    }
  });
});
