import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';

import { encodeContinueToken, queryFingerprint } from '../../../src/http/continue-token.ts';
import type { ServiceItem } from '../../../src/http/service-item.ts';
import {
  parseListRequest,
  serviceQueryCacheKey,
} from '../../../src/http/service-query-parameters.ts';
import type { StatusBody } from '../../../src/http/status.ts';
import {
  itemKeys,
  makeRecord,
  metricValue,
  startFixture,
  waitUntil,
  type ServerFixture,
} from './server-fixture.ts';

interface ListBody {
  resourceVersion: string;
  total: number;
  items: ServiceItem[];
}

const WAITING = 'metadata_http_waiting_requests';

describe('query server version headers', () => {
  let fixture: ServerFixture;

  before(async () => {
    fixture = await startFixture();
  });

  after(async () => {
    await fixture.server.close();
  });

  const routes: ReadonlyArray<readonly [string, string, number, boolean]> = [
    ['list', '/v1/services?tag=critical', 200, true],
    ['explain', '/v1/services?tag=critical&explain=true', 200, true],
    ['facets', '/v1/facets?tag=critical', 200, true],
    ['object', '/v1/services/a/api', 200, false],
    ['object not found', '/v1/services/a/none', 404, false],
    ['invalid list', '/v1/services?sort=size', 400, false],
  ];
  for (const [name, path, status, hasResultVersion] of routes) {
    test(`${name} carries the versions`, async () => {
      const response = await fetch(`${fixture.baseUrl}${path}`);
      await response.body?.cancel();

      assert.equal(response.status, status);
      assert.equal(response.headers.get('x-resource-version'), '1200');
      assert.equal(response.headers.get('x-result-version') !== null, hasResultVersion);
    });
  }

  test('health route has no versions', async () => {
    const response = await fetch(`${fixture.baseUrl}/healthz`);
    await response.body?.cancel();

    assert.equal(response.headers.get('x-resource-version'), null);
  });

  test('result version follows changes of the result only', async () => {
    const version = async (query: string): Promise<string | null> => {
      const response = await fetch(`${fixture.baseUrl}/v1/services?${query}`);
      await response.body?.cancel();
      return response.headers.get('x-result-version');
    };

    const first = await version('namespace=z');
    fixture.index.upsert(makeRecord({ namespace: 'y', name: 'other' }), '1250');
    fixture.index.advanceWatermark('1250');
    const afterUnrelated = await version('namespace=z');
    fixture.index.upsert(makeRecord({ namespace: 'z', name: 'new' }), '1260');
    fixture.index.advanceWatermark('1270');
    const afterRelated = await version('namespace=z');
    const sortedByVersion = await version('namespace=z&sort=version');

    assert.equal(first, '1200');
    assert.equal(afterUnrelated, '1200');
    assert.equal(afterRelated, '1260');
    assert.equal(sortedByVersion, '1260');
  });
});

describe('query server minResourceVersion', () => {
  let fixture: ServerFixture;

  beforeEach(async () => {
    fixture = await startFixture();
  });

  afterEach(async () => {
    await fixture.server.close();
  });

  test('answers at once when the watermark is there', async () => {
    const response = await fetch(`${fixture.baseUrl}/v1/services?minResourceVersion=1200`);
    const body = (await response.json()) as ListBody;

    assert.equal(response.status, 200);
    assert.equal(body.resourceVersion, '1200');
  });

  const waitingRoutes: ReadonlyArray<readonly [string, string, Record<string, unknown>]> = [
    ['list', '/v1/services?namespace=c&minResourceVersion=1300', { total: 1 }],
    ['facets', '/v1/facets?namespace=c&minResourceVersion=1300', { total: 1 }],
    ['object', '/v1/services/c/new?minResourceVersion=1300', { name: 'new' }],
  ];
  for (const [name, path, expected] of waitingRoutes) {
    test(`${name} waits for the watermark`, async () => {
      const pending = fetch(`${fixture.baseUrl}${path}`);
      await waitUntil(
        'the request waits',
        async () => (await metricValue(fixture.metrics, WAITING)) === 1,
      );

      fixture.index.upsert(makeRecord({ namespace: 'c', name: 'new' }), '1300');
      fixture.index.advanceWatermark('1300');
      const response = await pending;
      const body = (await response.json()) as Record<string, unknown>;

      assert.equal(response.status, 200);
      assert.equal(response.headers.get('x-resource-version'), '1300');
      for (const [field, value] of Object.entries(expected)) {
        assert.equal(body[field], value, field);
      }
    });
  }

  test('answers 504 after the timeout', async () => {
    const response = await fetch(
      `${fixture.baseUrl}/v1/services?minResourceVersion=99999999999999999999&timeout=20ms`,
    );
    const body = (await response.json()) as StatusBody;

    assert.equal(response.status, 504);
    assert.equal(body.reason, 'Timeout');
    assert.equal(body.code, 504);
    assert.match(body.message, /resourceVersion 99999999999999999999 \(minResourceVersion\)/);
    assert.match(body.message, /the watermark is 1200/);
    assert.equal(body.details?.causes?.[0]?.reason, 'ResourceVersionTooLarge');
    assert.equal(response.headers.get('retry-after'), '1');
    assert.equal(response.headers.get('x-resource-version'), '1200');
  });

  const invalid = ['abc', '-1', '1.5', '0x10'];
  for (const value of invalid) {
    test(`rejects minResourceVersion ${value}`, async () => {
      const response = await fetch(`${fixture.baseUrl}/v1/services?minResourceVersion=${value}`);
      const body = (await response.json()) as StatusBody;

      assert.equal(response.status, 400);
      assert.equal(body.details?.causes?.[0]?.field, 'minResourceVersion');
    });
  }

  test('continue token of a newer replica waits for its version', async () => {
    const query = parseListRequest('').query;
    const token = encodeContinueToken({
      after: JSON.stringify(['name', 'a', 'api']),
      resourceVersion: '1500',
      fingerprint: queryFingerprint(serviceQueryCacheKey(query)),
    });
    const path = `/v1/services?limit=1&continue=${token}`;

    const early = await fetch(`${fixture.baseUrl}${path}&timeout=20ms`);
    const earlyBody = (await early.json()) as StatusBody;
    const pending = fetch(`${fixture.baseUrl}${path}`);
    await waitUntil(
      'the request waits',
      async () => (await metricValue(fixture.metrics, WAITING)) === 1,
    );
    fixture.index.advanceWatermark('1500');
    const response = await pending;
    const body = (await response.json()) as ListBody;

    assert.equal(early.status, 504);
    assert.equal(earlyBody.details?.causes?.[0]?.field, 'continue');
    assert.equal(response.status, 200);
    assert.deepEqual(itemKeys(body), ['a/web']);
  });
});

describe('query server waitForChange', () => {
  let fixture: ServerFixture;

  beforeEach(async () => {
    fixture = await startFixture();
  });

  afterEach(async () => {
    await fixture.server.close();
  });

  async function resultVersion(query: string): Promise<string> {
    const response = await fetch(`${fixture.baseUrl}/v1/services?${query}`);
    await response.body?.cancel();
    return response.headers.get('x-result-version') ?? 'missing';
  }

  test('returns after a matching change', async () => {
    const version = await resultVersion('tag=critical');
    const pending = fetch(`${fixture.baseUrl}/v1/services?tag=critical&waitForChange=${version}`);
    await waitUntil(
      'the request waits',
      async () => (await metricValue(fixture.metrics, WAITING)) === 1,
    );

    fixture.index.upsert(makeRecord({ namespace: 'c', name: 'pay', tags: ['critical'] }), '1300');
    const response = await pending;
    const body = (await response.json()) as ListBody;

    assert.equal(response.status, 200);
    assert.equal(response.headers.get('x-result-version'), '1300');
    assert.deepEqual(itemKeys(body), ['a/api', 'b/billing', 'c/pay']);
  });

  test('facets return after a matching change', async () => {
    const pending = fetch(`${fixture.baseUrl}/v1/facets?tag=critical&waitForChange=1200`);
    await waitUntil(
      'the request waits',
      async () => (await metricValue(fixture.metrics, WAITING)) === 1,
    );

    fixture.index.delete('b/billing', '1300');
    const response = await pending;
    const body = (await response.json()) as { total: number };

    assert.equal(response.headers.get('x-result-version'), '1300');
    assert.equal(body.total, 1);
  });

  test('stays pending after an unrelated change', async () => {
    const version = await resultVersion('tag=critical');
    let settled = false;
    const pending = fetch(
      `${fixture.baseUrl}/v1/services?tag=critical&waitForChange=${version}&timeout=2s`,
    ).then((response) => {
      settled = true;
      return response;
    });
    await waitUntil(
      'the request waits',
      async () => (await metricValue(fixture.metrics, WAITING)) === 1,
    );

    fixture.index.upsert(makeRecord({ namespace: 'c', name: 'other', tags: ['public'] }), '1300');
    fixture.index.advanceWatermark('1300');
    const probe = await fetch(`${fixture.baseUrl}/v1/services?tag=public`);
    await probe.body?.cancel();
    const stillWaiting = await metricValue(fixture.metrics, WAITING);
    const settledAfterChange = settled;

    const response = await pending;
    const body = (await response.json()) as ListBody;

    assert.equal(probe.headers.get('x-resource-version'), '1300');
    assert.equal(settledAfterChange, false);
    assert.equal(stillWaiting, 1);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('x-result-version'), version);
    assert.deepEqual(itemKeys(body), ['a/api', 'b/billing']);
  });

  const atOnce: ReadonlyArray<readonly [string, (fixture: ServerFixture) => string]> = [
    ['a version before tracking began', () => '5'],
    [
      'a version older than the last change',
      (fixture) => {
        fixture.index.upsert(
          makeRecord({ namespace: 'c', name: 'pay', tags: ['critical'] }),
          '1300',
        );
        return '1200';
      },
    ],
  ];
  for (const [name, versionOf] of atOnce) {
    test(`returns at once for ${name}`, { timeout: 10_000 }, async () => {
      await resultVersion('tag=critical');
      const version = versionOf(fixture);

      const response = await fetch(
        `${fixture.baseUrl}/v1/services?tag=critical&waitForChange=${version}&timeout=5m`,
      );
      await response.body?.cancel();

      assert.equal(response.status, 200);
    });
  }

  test('rejects waitForChange with watch', async () => {
    const response = await fetch(`${fixture.baseUrl}/v1/services?watch=true&waitForChange=1`);
    const body = (await response.json()) as StatusBody;

    assert.equal(response.status, 400);
    assert.equal(body.details?.causes?.[0]?.field, 'watch');
  });
});
