import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  MAX_REPORTED_CAUSES,
  MAX_VALUE_LENGTH,
  MAX_VALUES_PER_PARAMETER,
} from '../../../src/http/query-parameters.ts';
import { DEFAULT_MAX_PARAMETERS } from '../../../src/http/request-limits.ts';
import { SERVICE_QUERY_PARAMETERS } from '../../../src/http/service-query-parameters.ts';
import type { StatusBody } from '../../../src/http/status.ts';
import type { IndexReader } from '../../../src/index/reader.ts';
import { startFixture, type ServerFixture } from './server-fixture.ts';

/** pino's numeric level of `warn`; records at or above it are warnings or errors. */
const WARN_LEVEL = 40;
const ERROR_LEVEL = 50;

interface BadRequestCase {
  name: string;
  target: string;
  field: string;
  causeReason: string;
  message: RegExp;
}

const repeated = (pair: string, count: number): string => Array(count).fill(pair).join('&');

const badRequestCases: BadRequestCase[] = [
  {
    name: 'unknown parameter',
    target: '/v1/services?team=core',
    field: 'team',
    causeReason: 'FieldValueNotSupported',
    message: new RegExp(
      '^unknown query parameter "team"; ' +
        `known parameters are ${SERVICE_QUERY_PARAMETERS.join(', ')}$`,
    ),
  },
  {
    name: 'parameter names are case-sensitive',
    target: '/v1/services?Namespace=a',
    field: 'Namespace',
    causeReason: 'FieldValueNotSupported',
    message: /unknown query parameter "Namespace"/,
  },
  {
    name: 'invalid version range',
    target: '/v1/services?version=%3E%3Dx',
    field: 'version',
    causeReason: 'FieldValueInvalid',
    message: /^invalid version range ">=x": /,
  },
  {
    name: 'unencoded plus in build metadata',
    target: '/v1/services?version=2.0.0+build.5',
    field: 'version',
    causeReason: 'FieldValueInvalid',
    message: /^invalid version range "2\.0\.0 build\.5": /,
  },
  {
    name: 'empty value',
    target: '/v1/services?tag=',
    field: 'tag',
    causeReason: 'FieldValueRequired',
    message: /^query parameter "tag" has an empty value/,
  },
  {
    name: 'parameter without value',
    target: '/v1/services?namespace',
    field: 'namespace',
    causeReason: 'FieldValueRequired',
    message: /^query parameter "namespace" has an empty value/,
  },
  {
    name: 'too many values',
    target: `/v1/services?${repeated('tag=t', MAX_VALUES_PER_PARAMETER + 1)}`,
    field: 'tag',
    causeReason: 'FieldValueTooMany',
    message: new RegExp(
      `^query parameter "tag" is given ${MAX_VALUES_PER_PARAMETER + 1} times; ` +
        `the maximum is ${MAX_VALUES_PER_PARAMETER}$`,
    ),
  },
  {
    name: 'version given twice',
    target: '/v1/services?version=1.0.0&version=2.0.0',
    field: 'version',
    causeReason: 'FieldValueTooMany',
    message: /^query parameter "version" is given 2 times; the maximum is 1$/,
  },
  {
    name: 'too long value',
    target: `/v1/services?namespace=${'n'.repeat(MAX_VALUE_LENGTH + 1)}`,
    field: 'namespace',
    causeReason: 'FieldValueTooLong',
    message: new RegExp(
      `^query parameter "namespace" has a value of ${MAX_VALUE_LENGTH + 1} characters, ` +
        `"n+"\\.\\.\\.; the maximum is ${MAX_VALUE_LENGTH}$`,
    ),
  },
  {
    name: 'malformed percent-encoding in value',
    target: '/v1/services?tag=%E0%A4%A',
    field: 'tag',
    causeReason: 'FieldValueInvalid',
    message: /^query parameter "tag" has invalid percent-encoding in "%E0%A4%A"$/,
  },
  {
    name: 'lone percent sign',
    target: '/v1/services?tag=100%',
    field: 'tag',
    causeReason: 'FieldValueInvalid',
    message: /invalid percent-encoding in "100%"/,
  },
  {
    name: 'malformed percent-encoding in name',
    target: '/v1/services?t%ZZ=1',
    field: 'query',
    causeReason: 'FieldValueInvalid',
    message: /^query parameter name has invalid percent-encoding in "t%ZZ"$/,
  },
  {
    name: 'too many parameters',
    target: `/v1/services?${repeated('tag=t', DEFAULT_MAX_PARAMETERS + 1)}`,
    field: 'query',
    causeReason: 'FieldValueTooMany',
    message: new RegExp(`has ${DEFAULT_MAX_PARAMETERS + 1} parameters; the maximum is 256,`),
  },
  {
    name: 'item route with a parameter',
    target: '/v1/services/a/api?tag=x',
    field: 'tag',
    causeReason: 'FieldValueNotSupported',
    message: /^unknown query parameter "tag"; known parameters are minResourceVersion, timeout$/,
  },
  {
    name: 'malformed percent-encoding in path',
    target: '/v1/services/a/%E0%A4%A',
    field: 'name',
    causeReason: 'FieldValueInvalid',
    message: /^path segment name has invalid percent-encoding in "%E0%A4%A"$/,
  },
  {
    name: 'too long path segment',
    target: `/v1/services/${'n'.repeat(MAX_VALUE_LENGTH + 1)}/api`,
    field: 'namespace',
    causeReason: 'FieldValueTooLong',
    message: new RegExp(
      `^path segment namespace has a value of ${MAX_VALUE_LENGTH + 1} characters, ` +
        `"n+"\\.\\.\\.; the maximum is ${MAX_VALUE_LENGTH}$`,
    ),
  },
  {
    name: 'namespace that is no DNS-1123 label',
    target: '/v1/services?namespace=PAY_ments',
    field: 'namespace',
    causeReason: 'FieldValueInvalid',
    message: /^invalid namespace "PAY_ments": must be a DNS-1123 label, at most 63 lowercase/,
  },
];

describe('query server errors', () => {
  let fixture: ServerFixture;

  before(async () => {
    fixture = await startFixture();
  });

  after(async () => {
    await fixture.server.close();
  });

  for (const { name, target, field, causeReason, message } of badRequestCases) {
    test(`400 for ${name}`, async () => {
      const response = await fetch(`${fixture.baseUrl}${target}`);
      const body = (await response.json()) as StatusBody;

      assert.equal(response.status, 400);
      assert.equal(response.headers.get('content-type'), 'application/json');
      assert.equal(body.kind, 'Status');
      assert.equal(body.apiVersion, 'v1');
      assert.deepEqual(body.metadata, {});
      assert.equal(body.status, 'Failure');
      assert.equal(body.reason, 'BadRequest');
      assert.equal(body.code, 400);
      assert.match(body.message, message);
      assert.equal(body.details?.causes?.length, 1);
      assert.equal(body.details?.causes?.[0]?.field, field);
      assert.equal(body.details?.causes?.[0]?.reason, causeReason);
      assert.equal(body.details?.causes?.[0]?.message, body.message);
    });
  }

  const limitCases = [
    { name: 'values at the limit', query: repeated('tag=public', MAX_VALUES_PER_PARAMETER) },
    { name: 'value at the length limit', query: `service=${'n'.repeat(MAX_VALUE_LENGTH)}` },
  ];
  for (const { name, query } of limitCases) {
    test(`200 for ${name}`, async () => {
      const response = await fetch(`${fixture.baseUrl}/v1/services?${query}`);
      await response.body?.cancel();

      assert.equal(response.status, 200);
    });
  }

  test('400 lists every problem as a cause', async () => {
    const response = await fetch(`${fixture.baseUrl}/v1/services?team=x&tag=&region=%E0`);
    const body = (await response.json()) as StatusBody;
    const causes = body.details?.causes ?? [];

    assert.equal(response.status, 400);
    assert.deepEqual(
      causes.map((cause) => [cause.field, cause.reason]),
      [
        ['region', 'FieldValueInvalid'],
        ['team', 'FieldValueNotSupported'],
        ['tag', 'FieldValueRequired'],
      ],
    );
    assert.equal(body.message, causes.map((cause) => cause.message).join('; '));
  });

  test('400 reports at most the maximum number of causes', async () => {
    const names = Array.from({ length: MAX_REPORTED_CAUSES + 3 }, (_, i) => `p${i}=1`);
    const response = await fetch(`${fixture.baseUrl}/v1/services?${names.join('&')}`);
    const body = (await response.json()) as StatusBody;

    assert.equal(response.status, 400);
    assert.equal(body.details?.causes?.length, MAX_REPORTED_CAUSES);
    assert.match(body.message, /; and 3 more problems$/);
  });

  test('client errors log nothing at warn or above', async () => {
    const firstLog = fixture.logs.length;
    for (const { target } of badRequestCases) {
      const response = await fetch(`${fixture.baseUrl}${target}`);
      await response.body?.cancel();
    }
    await (await fetch(`${fixture.baseUrl}/nowhere`)).body?.cancel();
    await (await fetch(`${fixture.baseUrl}/v1/services`, { method: 'PATCH' })).body?.cancel();

    const records = fixture.logs.slice(firstLog);
    const loud = records.filter((record) => record.level >= WARN_LEVEL);
    const served = records.filter((record) => record.msg === 'request served');
    assert.deepEqual(loud, []);
    assert.equal(served.length, badRequestCases.length + 2);
    assert.equal(served[0]?.component, 'http');
    assert.equal(served[0]?.code, 400);
  });

  test('logs never contain the authorization header', async () => {
    const secret = 'Bearer secret-token-value';
    const firstLog = fixture.logs.length;
    const response = await fetch(`${fixture.baseUrl}/v1/services?x=1`, {
      headers: { authorization: secret },
    });
    await response.body?.cancel();

    const text = JSON.stringify(fixture.logs.slice(firstLog));
    assert.equal(text.includes('secret-token-value'), false);
  });
});

describe('query server internal errors', () => {
  let fixture: ServerFixture;

  before(async () => {
    fixture = await startFixture({
      reader: (index): IndexReader => ({
        get revision() {
          return index.revision;
        },
        get watermark() {
          return index.watermark;
        },
        get size() {
          return index.size;
        },
        get: (namespace, name) => index.get(namespace, name),
        namespaces: () => index.namespaces(),
        query: () => {
          throw new Error('index broke');
        },
        explain: () => {
          throw new Error('index broke');
        },
        facets: () => {
          throw new Error('index broke');
        },
        subscribe: (listener) => index.subscribe(listener),
      }),
    });
  });

  after(async () => {
    await fixture.server.close();
  });

  test('unexpected error returns logged 500', async () => {
    const firstLog = fixture.logs.length;
    const response = await fetch(`${fixture.baseUrl}/v1/services?namespace=a`);
    const body = (await response.json()) as StatusBody;
    const errors = fixture.logs.slice(firstLog).filter((record) => record.level >= ERROR_LEVEL);

    assert.equal(response.status, 500);
    assert.equal(body.reason, 'InternalError');
    assert.equal(body.code, 500);
    assert.equal(body.message.includes('index broke'), false);
    assert.equal(errors.length, 1);
    assert.equal(errors[0]?.msg, 'failed to handle request');
    assert.equal(errors[0]?.route, '/v1/services');
    assert.match(JSON.stringify(errors[0]?.err), /index broke/);
  });
});
