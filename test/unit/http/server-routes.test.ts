import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { formatStaleSeconds, STALE_SECONDS_HEADER } from '../../../src/http/server.ts';
import type { ServiceItem } from '../../../src/http/service-item.ts';
import type { StatusBody } from '../../../src/http/status.ts';
import { counterValue, itemKeys, startFixture, type ServerFixture } from './server-fixture.ts';

interface ListBody {
  resourceVersion: string;
  total: number;
  items: ServiceItem[];
}

describe('query server routes', () => {
  let fixture: ServerFixture;

  before(async () => {
    fixture = await startFixture();
  });

  after(async () => {
    await fixture.server.close();
  });

  async function list(query: string): Promise<{ response: Response; body: ListBody }> {
    const response = await fetch(`${fixture.baseUrl}/v1/services${query}`);
    assert.equal(response.status, 200, `status of GET /v1/services${query}`);
    return { response, body: (await response.json()) as ListBody };
  }

  test('list returns every object sorted by namespace then name', async () => {
    const { response, body } = await list('');

    assert.equal(response.headers.get('content-type'), 'application/json');
    assert.equal(body.resourceVersion, '1200');
    assert.equal(body.total, 5);
    assert.deepEqual(itemKeys(body), ['a/api', 'a/web', 'a-b/api', 'b/billing', 'b/worker']);
  });

  test('list item has the documented fields only', async () => {
    const { body } = await list('?namespace=b&service=billing');

    assert.deepEqual(body.items, [
      {
        namespace: 'b',
        name: 'billing',
        uid: 'uid-b-billing',
        generation: 1,
        service: 'billing',
        version: '2.0.0+build.5',
        environment: 'prod',
        region: 'eu-west-1',
        tags: ['critical'],
        attributes: { 'cost-center': '42', team: 'payments' },
      },
    ]);
    assert.equal(Object.hasOwn(body.items[0] ?? {}, 'resourceVersion'), false);
  });

  const filterCases: { name: string; query: string; expected: string[] }[] = [
    { name: 'one namespace', query: '?namespace=a', expected: ['a/api', 'a/web'] },
    {
      name: 'namespaces as alternatives',
      query: '?namespace=a-b&namespace=b',
      expected: ['a-b/api', 'b/billing', 'b/worker'],
    },
    { name: 'service', query: '?service=api', expected: ['a/api', 'a-b/api'] },
    { name: 'environment', query: '?environment=dev', expected: ['b/worker'] },
    {
      name: 'regions as alternatives',
      query: '?region=us-east-1&region=eu%2Cwest',
      expected: ['a/web', 'a-b/api', 'b/worker'],
    },
    { name: 'one tag', query: '?tag=critical', expected: ['a/api', 'b/billing'] },
    { name: 'every tag required', query: '?tag=critical&tag=public', expected: ['a/api'] },
    { name: 'tag nobody carries', query: '?tag=critical&tag=none', expected: [] },
    {
      name: 'dimensions combined',
      query: '?namespace=a&tag=public&service=web',
      expected: ['a/web'],
    },
    { name: 'comma is part of a tag', query: '?tag=x,y', expected: ['a/web'] },
    { name: 'comma does not split regions', query: '?region=eu-west-1,us-east-1', expected: [] },
    { name: 'comma is part of a region', query: '?region=eu,west', expected: ['a/web'] },
    {
      name: 'version range with space',
      query: '?version=%3E%3D2.0.0%20%3C3.0.0',
      expected: ['a/api', 'b/billing'],
    },
    {
      name: 'plus in version decodes to space',
      query: '?version=>=2.0.0+<3.0.0',
      expected: ['a/api', 'b/billing'],
    },
    { name: 'caret range', query: '?version=%5E1.4', expected: ['a/web', 'a-b/api'] },
    {
      name: 'build metadata sent as %2B',
      query: '?version=2.0.0%2Bbuild.5',
      expected: ['b/billing'],
    },
    {
      name: 'pre-release left out of range',
      query: '?version=%3E%3D2.0.0',
      expected: ['a/api', 'b/billing'],
    },
    { name: 'duplicate values', query: '?namespace=a&namespace=a', expected: ['a/api', 'a/web'] },
    { name: 'empty pairs skipped', query: '?&namespace=a&&', expected: ['a/api', 'a/web'] },
  ];

  for (const { name, query, expected } of filterCases) {
    test(`list filters by ${name}`, async () => {
      const { body } = await list(query);

      assert.deepEqual(itemKeys(body), expected);
      assert.equal(body.total, expected.length);
    });
  }

  test('item route returns one object', async () => {
    const response = await fetch(`${fixture.baseUrl}/v1/services/a/api`);
    const body = (await response.json()) as ServiceItem;

    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/json');
    assert.equal(body.namespace, 'a');
    assert.equal(body.name, 'api');
    assert.deepEqual(body.tags, ['critical', 'public']);
    assert.deepEqual(body.attributes, { team: 'core' });
    assert.equal(Object.hasOwn(body, 'resourceVersion'), false);
  });

  test('item route decodes percent-encoded segments', async () => {
    const response = await fetch(`${fixture.baseUrl}/v1/services/%61/%61pi`);
    const body = (await response.json()) as ServiceItem;

    assert.equal(response.status, 200);
    assert.equal(body.uid, 'uid-a-api');
  });

  test('item route returns 404 for a missing object', async () => {
    const response = await fetch(`${fixture.baseUrl}/v1/services/a/missing`);
    const body = (await response.json()) as StatusBody;

    assert.equal(response.status, 404);
    assert.equal(body.kind, 'Status');
    assert.equal(body.apiVersion, 'v1');
    assert.equal(body.status, 'Failure');
    assert.equal(body.reason, 'NotFound');
    assert.equal(body.code, 404);
    assert.match(body.message, /"missing" not found in namespace "a"/);
    assert.deepEqual(body.details, {
      name: 'missing',
      group: 'mesh.datapunk.io',
      kind: 'servicemetadatas',
    });
  });

  const unknownPaths = [
    '/',
    '/v2/services',
    '/v1/services/',
    '/v1/services/a',
    '/v1/services/a/api/extra',
    '/v1/services//api',
    '/healthz/',
    '/v1/servicesx',
  ];
  for (const path of unknownPaths) {
    test(`unknown path ${path} returns 404`, async () => {
      const response = await fetch(`${fixture.baseUrl}${path}`);
      const body = (await response.json()) as StatusBody;

      assert.equal(response.status, 404);
      assert.equal(body.reason, 'NotFound');
      assert.equal(body.code, 404);
      assert.match(body.message, /routes are \/v1\/services, /);
    });
  }

  const methodCases = [
    { method: 'POST', path: '/v1/services' },
    { method: 'PUT', path: '/v1/services/a/api' },
    { method: 'DELETE', path: '/v1/services/a/api' },
    { method: 'OPTIONS', path: '/healthz' },
  ];
  for (const { method, path } of methodCases) {
    test(`${method} ${path} returns 405`, async () => {
      const response = await fetch(`${fixture.baseUrl}${path}`, { method });
      const body = (await response.json()) as StatusBody;

      assert.equal(response.status, 405);
      assert.equal(response.headers.get('allow'), 'GET, HEAD');
      assert.equal(body.kind, 'Status');
      assert.equal(body.reason, 'MethodNotAllowed');
      assert.equal(body.code, 405);
      assert.match(body.message, new RegExp(`method "${method}" is not allowed`));
    });
  }

  test('HEAD sends the headers of GET without a body', async () => {
    const get = await fetch(`${fixture.baseUrl}/v1/services?tag=public`);
    const getBody = await get.text();
    const head = await fetch(`${fixture.baseUrl}/v1/services?tag=public`, { method: 'HEAD' });

    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), String(Buffer.byteLength(getBody)));
    assert.equal(head.headers.get('content-type'), 'application/json');
    assert.equal(await head.text(), '');
  });

  test('healthz returns ok', async () => {
    const response = await fetch(`${fixture.baseUrl}/healthz`);

    assert.equal(response.status, 200);
    assert.equal(await response.text(), 'ok');
  });

  test('readyz returns 503 until ready', async () => {
    fixture.readiness.ready = false;
    fixture.readiness.reason = 'initial list not applied yet';
    const notReady = await fetch(`${fixture.baseUrl}/readyz`);
    const status = (await notReady.json()) as StatusBody;

    fixture.readiness.ready = true;
    delete fixture.readiness.reason;
    const ready = await fetch(`${fixture.baseUrl}/readyz`);

    assert.equal(notReady.status, 503);
    assert.equal(status.reason, 'ServiceUnavailable');
    assert.equal(status.code, 503);
    assert.equal(status.message, 'initial list not applied yet');
    assert.equal(ready.status, 200);
    assert.equal(await ready.text(), 'ok');
  });

  test('query routes carry the staleness header', async () => {
    fixture.staleSeconds = 2.25;
    const responses = await Promise.all(
      ['/v1/services', '/v1/services/a/api', '/v1/services/a/missing', '/v1/services?x=1'].map(
        (path) => fetch(`${fixture.baseUrl}${path}`),
      ),
    );
    const post = await fetch(`${fixture.baseUrl}/v1/services`, { method: 'POST' });
    const health = await fetch(`${fixture.baseUrl}/healthz`);
    fixture.staleSeconds = 1.25;

    for (const response of [...responses, post]) {
      assert.equal(response.headers.get(STALE_SECONDS_HEADER), '2.3', response.url);
    }
    assert.equal(health.headers.get(STALE_SECONDS_HEADER), null);
  });

  test('metrics path is not served', async () => {
    const response = await fetch(`${fixture.baseUrl}/metrics`);
    const body = (await response.json()) as StatusBody;

    assert.equal(response.status, 404);
    assert.equal(body.reason, 'NotFound');
    assert.doesNotMatch(body.message.split('routes are ')[1] ?? '', /\/metrics/);
  });

  test('query duration is recorded by route', async () => {
    await fetch(`${fixture.baseUrl}/v1/services?namespace=a`);
    const text = await fixture.metrics.registry.metrics();

    assert.match(text, /^metadata_query_duration_seconds_count\{route="\/v1\/services"\} [1-9]/m);
  });

  const timedRoutes: ReadonlyArray<readonly [string, string]> = [
    ['/healthz', '/healthz'],
    ['/readyz', '/readyz'],
    ['/openapi.json', '/openapi.json'],
    ['/v1/facets', '/v1/facets'],
    ['/v1/services/a/api', '/v1/services/{namespace}/{name}'],
    ['/nowhere', 'unmatched'],
  ];
  for (const [path, route] of timedRoutes) {
    test(`request duration of ${path} is recorded`, async () => {
      const before = await durationCount(fixture, route);
      await (await fetch(`${fixture.baseUrl}${path}`)).arrayBuffer();

      assert.equal((await durationCount(fixture, route)) - before, 1);
    });
  }

  test('requests are counted by route and code', async () => {
    const labels = { route: '/v1/services/{namespace}/{name}', code: '404' };
    const before404 = await counterValue(fixture.metrics, 'metadata_http_requests_total', labels);
    const unmatched = { route: 'unmatched', code: '404' };
    const beforeUnmatched = await counterValue(
      fixture.metrics,
      'metadata_http_requests_total',
      unmatched,
    );

    await fetch(`${fixture.baseUrl}/v1/services/a/missing`);
    await fetch(`${fixture.baseUrl}/nowhere/${'x'.repeat(10)}`);

    const after404 = await counterValue(fixture.metrics, 'metadata_http_requests_total', labels);
    const afterUnmatched = await counterValue(
      fixture.metrics,
      'metadata_http_requests_total',
      unmatched,
    );
    assert.equal(after404 - before404, 1);
    assert.equal(afterUnmatched - beforeUnmatched, 1);
  });
});

/** Returns the number of requests of `route` in `metadata_http_request_duration_seconds`. */
async function durationCount(fixture: ServerFixture, route: string): Promise<number> {
  const { values } = await fixture.metrics.httpRequestDurationSeconds.get();
  const count = values.find(
    (value) =>
      value.metricName === 'metadata_http_request_duration_seconds_count' &&
      value.labels.route === route,
  );
  return count?.value ?? 0;
}

describe('formatStaleSeconds', () => {
  const cases: [number, string | undefined][] = [
    [0, '0'],
    [3, '3'],
    [2.25, '2.3'],
    [1.04, '1'],
    [0.05, '0.1'],
    [12.96, '13'],
    [-2, '0'],
    [Number.POSITIVE_INFINITY, undefined],
    [Number.NaN, undefined],
  ];
  for (const [seconds, expected] of cases) {
    test(`formats ${seconds} as ${String(expected)}`, () => {
      assert.equal(formatStaleSeconds(seconds), expected);
    });
  }
});
