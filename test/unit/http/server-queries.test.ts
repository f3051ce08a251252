import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { decodeContinueToken, encodeContinueToken } from '../../../src/http/continue-token.ts';
import type { ServiceItem } from '../../../src/http/service-item.ts';
import type { StatusBody } from '../../../src/http/status.ts';
import {
  counterValue,
  itemKeys,
  makeRecord,
  startFixture,
  type ServerFixture,
} from './server-fixture.ts';

interface ListBody {
  resourceVersion: string;
  total: number;
  items: ServiceItem[];
  continue?: string;
}

const CACHE_METRIC = 'metadata_query_cache_total';

describe('query server filters, pages, plans and facets', () => {
  let fixture: ServerFixture;

  before(async () => {
    fixture = await startFixture();
  });

  after(async () => {
    await fixture.server.close();
  });

  async function get(path: string): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${fixture.baseUrl}${path}`);
    return { status: response.status, body: await response.json() };
  }

  async function list(query: string): Promise<ListBody> {
    const { status, body } = await get(`/v1/services?${query}`);
    assert.equal(status, 200, `status of GET /v1/services?${query}: ${JSON.stringify(body)}`);
    return body as ListBody;
  }

  async function badRequest(path: string): Promise<StatusBody> {
    const { status, body } = await get(path);
    assert.equal(status, 400, `status of GET ${path}`);
    return body as StatusBody;
  }

  const filters: ReadonlyArray<readonly [string, string, readonly string[]]> = [
    ['any tag', 'anyTag=critical&anyTag=x,y', ['a/api', 'a/web', 'b/billing']],
    ['no tag', 'notTag=public', ['b/billing', 'b/worker']],
    ['environment excluded', 'notEnvironment=prod', ['a-b/api', 'b/worker']],
    ['region excluded', 'notRegion=eu-west-1&notRegion=eu,west', ['a-b/api', 'b/worker']],
    ['selector', 'selector=team', ['a/api', 'b/billing']],
    ['selector with operators', 'selector=team!%3Dcore,cost-center%3E40', ['b/billing']],
    ['quoted selector value', 'selector=team+in+(%22payments%22)', ['b/billing']],
    ['pre-release left out', 'version=%3E%3D2.0.0', ['a/api', 'b/billing']],
    [
      'pre-release included',
      'version=%3E%3D2.0.0&includePrerelease=true',
      ['a/api', 'b/billing', 'b/worker'],
    ],
  ];

  for (const [name, query, expected] of filters) {
    test(`list filters by ${name}`, async () => {
      const body = await list(query);

      assert.deepEqual(itemKeys(body), expected);
      assert.equal(body.total, expected.length);
    });
  }

  test('list sorts by version, newest first', async () => {
    const body = await list('sort=version');

    assert.deepEqual(itemKeys(body), ['b/worker', 'a/api', 'b/billing', 'a/web', 'a-b/api']);
  });

  test('list walks pages with continue', async () => {
    const first = await list('sort=version&limit=2');
    assert.ok(first.continue !== undefined);
    const second = await list(`sort=version&limit=2&continue=${first.continue}`);
    assert.ok(second.continue !== undefined);
    const third = await list(`sort=version&limit=2&continue=${second.continue}`);

    assert.deepEqual(itemKeys(first), ['b/worker', 'a/api']);
    assert.deepEqual(itemKeys(second), ['b/billing', 'a/web']);
    assert.deepEqual(itemKeys(third), ['a-b/api']);
    assert.deepEqual([first.total, second.total, third.total], [5, 5, 5]);
    assert.equal(Object.hasOwn(third, 'continue'), false);
  });

  test('no continue when everything fits', async () => {
    const body = await list('limit=5');

    assert.equal(body.items.length, 5);
    assert.equal(Object.hasOwn(body, 'continue'), false);
  });

  test('continue keeps the resourceVersion of the first page', async () => {
    const first = await list('limit=1');
    fixture.index.advanceWatermark('1300');
    const second = await list(`limit=1&continue=${first.continue ?? ''}`);

    assert.equal(first.resourceVersion, '1200');
    assert.equal(second.resourceVersion, '1300');
    assert.equal(decodeContinueToken(first.continue ?? '')?.resourceVersion, '1200');
    assert.equal(decodeContinueToken(second.continue ?? '')?.resourceVersion, '1200');
  });

  test('continue with another query is rejected', async () => {
    const first = await list('limit=1');
    const body = await badRequest(
      `/v1/services?limit=1&tag=public&continue=${first.continue ?? ''}`,
    );

    assert.equal(body.details?.causes?.[0]?.field, 'continue');
    assert.match(body.message, /different query or sort/);
  });

  test('continue with a forged page key is rejected', async () => {
    const first = await list('limit=1');
    const token = decodeContinueToken(first.continue ?? '');
    assert.ok(token !== undefined);
    const forged = encodeContinueToken({ ...token, after: 'garbage' });
    const body = await badRequest(`/v1/services?limit=1&continue=${forged}`);

    assert.equal(body.details?.causes?.[0]?.field, 'continue');
    assert.match(body.message, /^invalid page key "garbage"/);
  });

  test('explain returns the plan instead of items', async () => {
    const { status, body } = await get('/v1/services?explain=true&namespace=a&tag=critical');

    assert.equal(status, 200);
    assert.deepEqual(body, {
      resourceVersion: fixture.index.watermark,
      total: 1,
      plan: {
        steps: [
          { condition: 'namespace in (a)', estimate: 2, candidates: 2 },
          { condition: 'tag all "critical"', estimate: 2, candidates: 1 },
        ],
      },
    });
  });

  test('explain rejects an invalid selector', async () => {
    const body = await badRequest('/v1/services?explain=true&selector=a+b');

    assert.equal(body.details?.causes?.[0]?.field, 'selector');
  });

  test('facets count the matches per value', async () => {
    const { status, body } = await get('/v1/facets?notTag=x,y');

    assert.equal(status, 200);
    assert.deepEqual(body, {
      resourceVersion: fixture.index.watermark,
      total: 4,
      tags: { critical: 2, public: 2 },
      environments: { dev: 1, prod: 2, staging: 1 },
      regions: { 'eu-west-1': 2, 'us-east-1': 2 },
      majorVersions: { '1': 1, '2': 2, '3': 1 },
    });
  });

  test('facets of no match', async () => {
    const { body } = await get('/v1/facets?namespace=none');

    assert.deepEqual(body, {
      resourceVersion: fixture.index.watermark,
      total: 0,
      tags: {},
      environments: {},
      regions: {},
      majorVersions: {},
    });
  });

  test('facets reject a page parameter', async () => {
    const body = await badRequest('/v1/facets?limit=1');

    assert.equal(body.details?.causes?.[0]?.field, 'limit');
  });

  test('pages are cached apart and hit on repeat', async () => {
    const first = await list('service=api&limit=1');
    const hits = await counterValue(fixture.metrics, CACHE_METRIC, { result: 'hit' });
    const repeat = await list('service=api&limit=1');
    const second = await list(`service=api&limit=1&continue=${first.continue ?? ''}`);

    assert.deepEqual(repeat, first);
    assert.deepEqual(itemKeys(second), ['a-b/api']);
    assert.equal(await counterValue(fixture.metrics, CACHE_METRIC, { result: 'hit' }), hits + 1);
  });

  test('a change shows in the next page', async () => {
    const first = await list('namespace=c&limit=1');
    fixture.index.upsert(makeRecord({ namespace: 'c', name: 'b' }));
    fixture.index.upsert(makeRecord({ namespace: 'c', name: 'a' }));
    const again = await list('namespace=c&limit=1');

    assert.equal(first.total, 0);
    assert.deepEqual(itemKeys(again), ['c/a']);
    assert.equal(again.total, 2);
  });
});
