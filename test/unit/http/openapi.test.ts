import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';

import { OBJECT_PARAMETERS, parseObjectRequest } from '../../../src/http/consistency-parameters.ts';
import { OPENAPI_DOCUMENT } from '../../../src/http/openapi.ts';
import { ROUTE_PATTERNS } from '../../../src/http/routes.ts';
import {
  FACETS_PARAMETERS,
  parseFacetsRequest,
  parseListRequest,
  SERVICE_QUERY_PARAMETERS,
} from '../../../src/http/service-query-parameters.ts';
import { StatusError } from '../../../src/http/status.ts';
import { startFixture, type ServerFixture } from './server-fixture.ts';

interface Parameter {
  name: string;
  in: string;
  schema: Record<string, unknown> & { items?: Record<string, unknown> };
}

interface Document {
  paths: Record<string, { get: { parameters: { $ref: string }[] } }>;
  components: Record<string, Record<string, unknown>>;
}

const CHECKED_IN = new URL('../../../docs/openapi.json', import.meta.url);
const document = OPENAPI_DOCUMENT as unknown as Document;

/** Follows a local `$ref` such as `#/components/parameters/tag`. */
function resolve(ref: string): unknown {
  let node: unknown = document;
  for (const part of ref.replace(/^#\//, '').split('/')) {
    node = (node as Record<string, unknown> | undefined)?.[part];
  }

  assert.notEqual(node, undefined, `${ref} does not resolve`);
  return node;
}

function parametersOf(path: string): Parameter[] {
  const operation = document.paths[path]?.get;
  assert.ok(operation !== undefined, `${path} has no GET operation`);
  return operation.parameters.map((parameter) => resolve(parameter.$ref) as Parameter);
}

function queryNames(path: string): string[] {
  return parametersOf(path)
    .filter((parameter) => parameter.in === 'query')
    .map((parameter) => parameter.name)
    .sort();
}

/** Collects every `$ref` in a JSON value. */
function refsIn(value: unknown): string[] {
  if (typeof value !== 'object' || value === null) {
    return [];
  }

  return Object.entries(value).flatMap(([key, child]) =>
    key === '$ref' && typeof child === 'string' ? [child] : refsIn(child),
  );
}

/** Returns the fields of the causes of the 400 that `parse` throws, or [] when it throws none. */
function rejectedFields(parse: () => unknown): string[] {
  try {
    parse();
  } catch (error) {
    assert.ok(error instanceof StatusError, String(error));
    return (error.details?.causes ?? []).map((cause) => cause.field);
  }

  return [];
}

/** Builds query strings that break each documented limit of a parameter. */
function violations(parameter: Parameter): string[] {
  const { name, schema } = parameter;
  const cases: string[] = [];
  if (typeof schema.maxItems === 'number') {
    const values = Array.from({ length: schema.maxItems + 1 }, (_, i) => `${name}=v${i}`);
    cases.push(values.join('&'));
  }

  const itemSchema = schema.items ?? schema;
  if (typeof itemSchema.maxLength === 'number') {
    cases.push(`${name}=${'1'.repeat(itemSchema.maxLength + 1)}`);
  }

  if (typeof schema.maximum === 'number') {
    cases.push(`${name}=${schema.maximum + 1}`);
  }

  if (typeof schema.minimum === 'number') {
    cases.push(`${name}=${schema.minimum - 1}`);
  }

  if (Array.isArray(schema.enum) || schema.type === 'boolean' || schema.pattern !== undefined) {
    cases.push(`${name}=not-valid!`);
  }

  return cases;
}

describe('OpenAPI document', () => {
  let fixture: ServerFixture;

  before(async () => {
    fixture = await startFixture();
  });

  after(async () => {
    await fixture.server.close();
  });

  test('served document equals the checked-in file', async () => {
    const response = await fetch(`${fixture.baseUrl}/openapi.json`);
    const served: unknown = await response.json();
    const checkedIn: unknown = JSON.parse(await readFile(CHECKED_IN, 'utf8'));

    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/json');
    assert.deepEqual(
      served,
      checkedIn,
      'docs/openapi.json is out of date; regenerate it as the header of src/http/openapi.ts says',
    );
  });

  test('documents every route', () => {
    assert.deepEqual(Object.keys(document.paths).sort(), [...ROUTE_PATTERNS].sort());
  });

  test('every reference resolves', () => {
    for (const ref of refsIn(document)) {
      resolve(ref);
    }
  });

  const routes: ReadonlyArray<readonly [string, readonly string[]]> = [
    ['/v1/services', SERVICE_QUERY_PARAMETERS],
    ['/v1/facets', FACETS_PARAMETERS],
    ['/v1/services/{namespace}/{name}', OBJECT_PARAMETERS],
    ['/healthz', []],
    ['/readyz', []],
    ['/openapi.json', []],
  ];
  for (const [path, accepted] of routes) {
    test(`${path} documents the parameters it accepts`, () => {
      assert.deepEqual(queryNames(path), [...accepted].sort());
    });
  }

  test('path parameters match the route pattern', () => {
    const names = parametersOf('/v1/services/{namespace}/{name}')
      .filter((parameter) => parameter.in === 'path')
      .map((parameter) => parameter.name);

    assert.deepEqual(names, ['namespace', 'name']);
  });

  const parsers: ReadonlyArray<readonly [string, (rawQuery: string) => unknown]> = [
    ['/v1/services', parseListRequest],
    ['/v1/facets', parseFacetsRequest],
    ['/v1/services/{namespace}/{name}', parseObjectRequest],
  ];
  for (const [path, parse] of parsers) {
    for (const parameter of parametersOf(path).filter((candidate) => candidate.in === 'query')) {
      for (const rawQuery of violations(parameter)) {
        const shown = rawQuery.length > 60 ? `${rawQuery.slice(0, 60)}...` : rawQuery;
        test(`${path} rejects ${shown}`, () => {
          assert.ok(rejectedFields(() => parse(rawQuery)).includes(parameter.name));
        });
      }
    }
  }
});
