import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import type { ServiceItem } from '../../../src/http/service-item.ts';
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
}

const CACHE_METRIC = 'metadata_query_cache_total';

describe('query server result cache', () => {
  let fixture: ServerFixture;

  before(async () => {
    fixture = await startFixture();
  });

  after(async () => {
    await fixture.server.close();
  });

  async function list(query: string): Promise<ListBody> {
    const response = await fetch(`${fixture.baseUrl}/v1/services?${query}`);
    assert.equal(response.status, 200);
    return (await response.json()) as ListBody;
  }

  async function cacheCounts(): Promise<{ hit: number; miss: number }> {
    return {
      hit: await counterValue(fixture.metrics, CACHE_METRIC, { result: 'hit' }),
      miss: await counterValue(fixture.metrics, CACHE_METRIC, { result: 'miss' }),
    };
  }

  test('repeated identical query is a hit', async () => {
    const first = await list('tag=critical');
    const before = await cacheCounts();
    const second = await list('tag=critical');
    const after = await cacheCounts();

    assert.deepEqual(second, first);
    assert.equal(after.hit - before.hit, 1);
    assert.equal(after.miss - before.miss, 0);
  });

  test('equivalent queries share one entry', async () => {
    await list('namespace=b&namespace=a&tag=public');
    const before = await cacheCounts();
    const body = await list('tag=public&namespace=a&namespace=b&namespace=a');
    const after = await cacheCounts();

    assert.deepEqual(itemKeys(body), ['a/api', 'a/web']);
    assert.equal(after.hit - before.hit, 1);
    assert.equal(after.miss - before.miss, 0);
  });

  test('different queries do not share an entry', async () => {
    await list('region=us-east-1');
    const before = await cacheCounts();
    const body = await list('region=us-east-1&environment=dev');
    const after = await cacheCounts();

    assert.deepEqual(itemKeys(body), ['b/worker']);
    assert.equal(after.miss - before.miss, 1);
  });

  test('upsert of a newly matching record shows at once', async () => {
    const before = await list('service=api');
    fixture.index.upsert(makeRecord({ namespace: 'c', name: 'api', service: 'api' }));
    const after = await list('service=api');

    assert.deepEqual(itemKeys(before), ['a/api', 'a-b/api']);
    assert.deepEqual(itemKeys(after), ['a/api', 'a-b/api', 'c/api']);
    assert.equal(after.total, 3);
  });

  test('change that stops a match shows at once', async () => {
    const before = await list('environment=staging');
    fixture.index.upsert(
      makeRecord({
        namespace: 'a-b',
        name: 'api',
        service: 'api',
        version: '1.4.2',
        environment: 'prod',
        region: 'us-east-1',
        tags: ['public'],
      }),
    );
    const after = await list('environment=staging');

    assert.deepEqual(itemKeys(before), ['a-b/api']);
    assert.deepEqual(itemKeys(after), []);
    assert.equal(after.total, 0);
  });

  test('delete shows at once', async () => {
    fixture.index.upsert(makeRecord({ namespace: 'd', name: 'gone', tags: ['temporary'] }));
    const before = await list('tag=temporary');
    fixture.index.delete('d/gone');
    const after = await list('tag=temporary');

    assert.deepEqual(itemKeys(before), ['d/gone']);
    assert.deepEqual(itemKeys(after), []);
  });

  test('watermark advance is reported on a hit', async () => {
    await list('namespace=b');
    fixture.index.advanceWatermark('5000');
    const before = await cacheCounts();
    const body = await list('namespace=b');
    const after = await cacheCounts();

    assert.equal(body.resourceVersion, '5000');
    assert.equal(after.hit - before.hit, 1);
  });
});

describe('query server with the cache disabled', () => {
  let fixture: ServerFixture;

  before(async () => {
    fixture = await startFixture({ cacheMaxEntries: 0 });
  });

  after(async () => {
    await fixture.server.close();
  });

  test('every query is a miss', async () => {
    for (let i = 0; i < 2; i += 1) {
      const response = await fetch(`${fixture.baseUrl}/v1/services?tag=critical`);
      await response.body?.cancel();
      assert.equal(response.status, 200);
    }

    const hit = await counterValue(fixture.metrics, CACHE_METRIC, { result: 'hit' });
    const miss = await counterValue(fixture.metrics, CACHE_METRIC, { result: 'miss' });
    assert.equal(hit, 0);
    assert.equal(miss, 2);
  });
});
