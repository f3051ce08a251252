import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { QueryCache } from '../../../src/http/query-cache.ts';
import { MetadataIndex } from '../../../src/index/metadata-index.ts';
import { createMetrics, type Metrics } from '../../../src/observability/metrics.ts';
import { serviceQuerySchema, type ServiceQueryInput } from '../../../src/query/model.ts';
import { makeRecord } from './server-fixture.ts';

interface Value {
  readonly text: string;
}

const ANY = serviceQuerySchema.parse({});

async function metricValue(
  metrics: Metrics,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const metric = metrics.registry.getSingleMetric(name);
  const values = (await metric?.get())?.values ?? [];
  const series = values.find((value) =>
    Object.entries(labels).every(([label, expected]) => value.labels[label] === expected),
  );
  return series?.value ?? 0;
}

function cacheCount(metrics: Metrics, result: 'hit' | 'miss'): Promise<number> {
  return metricValue(metrics, 'metadata_query_cache_total', { result });
}

/** Returns a compute function that counts its calls and returns `text`. */
function counting(text: string): { compute: () => Value; calls: () => number } {
  let calls = 0;
  return {
    compute: () => {
      calls += 1;
      return { text };
    },
    calls: () => calls,
  };
}

function newCache(
  options: { maxEntries?: number; maxBytes?: number; metrics?: Metrics } = {},
): QueryCache<Value> {
  return new QueryCache<Value>({
    maxEntries: options.maxEntries ?? 10,
    maxBytes: options.maxBytes ?? 1_000_000,
    ttlSeconds: 0,
    sizeOf: (value) => value.text.length,
    metrics: options.metrics ?? createMetrics(),
  });
}

/** An index with two records, whose changes reach `cache.invalidate`. */
function subscribedIndex(cache: QueryCache<Value>): MetadataIndex {
  const index = new MetadataIndex();
  index.upsert(makeRecord({ namespace: 'a', name: 'api', tags: ['public'] }));
  index.upsert(makeRecord({ namespace: 'b', name: 'worker', tags: ['batch'] }));
  index.subscribe({ onChange: (change) => cache.invalidate(change) });
  return index;
}

describe('QueryCache', () => {
  test('serves a stored value', async () => {
    const metrics = createMetrics();
    const cache = newCache({ metrics });
    const first = counting('first');

    const stored = cache.resolve('k', ANY, first.compute);
    const served = cache.resolve('k', ANY, counting('second').compute);

    assert.equal(served, stored);
    assert.equal(first.calls(), 1);
    assert.equal(await cacheCount(metrics, 'miss'), 1);
    assert.equal(await cacheCount(metrics, 'hit'), 1);
  });

  test('keeps keys apart', () => {
    const cache = newCache();

    cache.resolve('a', ANY, counting('a').compute);
    const value = cache.resolve('b', ANY, counting('b').compute);

    assert.equal(value.text, 'b');
  });

  const unrelated: ReadonlyArray<readonly [string, (index: MetadataIndex) => void]> = [
    ['add', (index) => index.upsert(makeRecord({ namespace: 'c', name: 'db', tags: ['x'] }))],
    [
      'change',
      (index) => index.upsert(makeRecord({ namespace: 'b', name: 'worker', tags: ['y'] })),
    ],
    ['delete', (index) => index.delete('b/worker')],
  ];
  for (const [name, change] of unrelated) {
    test(`keeps the entry on an unrelated ${name}`, async () => {
      const metrics = createMetrics();
      const cache = newCache({ metrics });
      const index = subscribedIndex(cache);
      const query = serviceQuerySchema.parse({ tags: { all: ['public'] } });
      cache.resolve('public', query, counting('old').compute);

      change(index);
      const fresh = counting('new');
      const value = cache.resolve('public', query, fresh.compute);

      assert.equal(value.text, 'old');
      assert.equal(fresh.calls(), 0);
      assert.equal(await cacheCount(metrics, 'hit'), 1);
      assert.equal(cache.size, 1);
    });
  }

  const related: ReadonlyArray<readonly [string, (index: MetadataIndex) => void]> = [
    ['add', (index) => index.upsert(makeRecord({ namespace: 'c', name: 'db', tags: ['public'] }))],
    [
      'change',
      (index) =>
        index.upsert(
          makeRecord({ namespace: 'a', name: 'api', tags: ['public'], version: '2.0.0' }),
        ),
    ],
    ['change that leaves', (index) => index.upsert(makeRecord({ namespace: 'a', name: 'api' }))],
    ['delete', (index) => index.delete('a/api')],
  ];
  for (const [name, change] of related) {
    test(`drops the entry on a related ${name}`, async () => {
      const metrics = createMetrics();
      const cache = newCache({ metrics });
      const index = subscribedIndex(cache);
      const query = serviceQuerySchema.parse({ tags: { all: ['public'] } });
      cache.resolve('public', query, counting('old').compute);

      change(index);
      const fresh = counting('new');
      const value = cache.resolve('public', query, fresh.compute);

      assert.equal(value.text, 'new');
      assert.equal(fresh.calls(), 1);
      assert.equal(await cacheCount(metrics, 'miss'), 2);
      assert.equal(
        await metricValue(metrics, 'metadata_query_cache_evictions_total', {
          reason: 'invalidated',
        }),
        1,
      );
    });
  }

  test('drops only the entries a change touches', () => {
    const cache = newCache();
    const index = subscribedIndex(cache);
    const queries: Record<string, ServiceQueryInput> = {
      public: { tags: { all: ['public'] } },
      batch: { tags: { all: ['batch'] } },
      namespaceA: { namespaces: ['a'] },
      everything: {},
    };
    for (const [key, input] of Object.entries(queries)) {
      cache.resolve(key, serviceQuerySchema.parse(input), counting(key).compute);
    }

    const dropped = cache.invalidate({
      revision: index.revision + 1,
      before: index.get('b', 'worker'),
    });

    assert.equal(dropped, 2);
    assert.equal(cache.size, 2);
  });

  test('evicts the least recently used entry past maxEntries', async () => {
    const metrics = createMetrics();
    const cache = newCache({ maxEntries: 2, metrics });
    cache.resolve('a', ANY, counting('a').compute);
    cache.resolve('b', ANY, counting('b').compute);
    cache.resolve('a', ANY, counting('a2').compute);
    cache.resolve('c', ANY, counting('c').compute);

    const a = counting('a3');
    const b = counting('b2');
    cache.resolve('a', ANY, a.compute);
    cache.resolve('b', ANY, b.compute);

    assert.equal(a.calls(), 0);
    assert.equal(b.calls(), 1);
    assert.equal(
      await metricValue(metrics, 'metadata_query_cache_evictions_total', { reason: 'size' }),
      2,
    );
  });

  test('evicts past maxBytes and reports the size', async () => {
    const metrics = createMetrics();
    // Each entry counts its text and its one-character key: 50 bytes.
    const cache = newCache({ maxBytes: 120, metrics });
    cache.resolve('a', ANY, counting('x'.repeat(49)).compute);
    cache.resolve('b', ANY, counting('y'.repeat(49)).compute);
    cache.resolve('c', ANY, counting('z'.repeat(49)).compute);

    assert.equal(cache.size, 2);
    assert.equal(cache.bytes, 100);
    assert.equal(await metricValue(metrics, 'metadata_query_cache_entries'), 2);
    assert.equal(await metricValue(metrics, 'metadata_query_cache_bytes'), 100);
    assert.equal(
      await metricValue(metrics, 'metadata_query_cache_evictions_total', { reason: 'size' }),
      1,
    );
  });

  test('does not store a value over maxBytes', () => {
    const cache = newCache({ maxBytes: 10 });
    const big = counting('x'.repeat(20));

    cache.resolve('k', ANY, big.compute);
    cache.resolve('k', ANY, big.compute);

    assert.equal(big.calls(), 2);
    assert.equal(cache.size, 0);
  });

  test('stores nothing when compute throws', () => {
    const cache = newCache();

    assert.throws(
      () =>
        cache.resolve('k', ANY, () => {
          throw new Error('bad range');
        }),
      /bad range/,
    );
    assert.equal(cache.size, 0);
  });

  for (const bound of ['maxEntries', 'maxBytes'] as const) {
    test(`${bound} 0 computes every time`, async () => {
      const metrics = createMetrics();
      const cache = newCache({ [bound]: 0, metrics });
      const source = counting('v');

      cache.resolve('k', ANY, source.compute);
      cache.resolve('k', ANY, source.compute);

      assert.equal(source.calls(), 2);
      assert.equal(cache.size, 0);
      assert.equal(await cacheCount(metrics, 'hit'), 0);
    });
  }

  test('clear drops every entry', () => {
    const cache = newCache();
    cache.resolve('k', ANY, counting('v').compute);

    cache.clear();

    assert.equal(cache.size, 0);
    assert.equal(cache.bytes, 0);
  });

  const invalidOptions = [
    { maxEntries: -1, maxBytes: 1, ttlSeconds: 0, message: /invalid cacheMaxEntries -1/ },
    { maxEntries: 1.5, maxBytes: 1, ttlSeconds: 0, message: /invalid cacheMaxEntries 1.5/ },
    { maxEntries: 1, maxBytes: -2, ttlSeconds: 0, message: /invalid cacheMaxBytes -2/ },
    { maxEntries: 1, maxBytes: 1, ttlSeconds: -5, message: /invalid cacheTtlSeconds -5/ },
    { maxEntries: 1, maxBytes: 1, ttlSeconds: Number.NaN, message: /invalid cacheTtlSeconds NaN/ },
  ];
  for (const { maxEntries, maxBytes, ttlSeconds, message } of invalidOptions) {
    test(`rejects ${message.source.replace('invalid ', '')}`, () => {
      assert.throws(
        () =>
          new QueryCache<Value>({
            maxEntries,
            maxBytes,
            ttlSeconds,
            sizeOf: () => 1,
            metrics: createMetrics(),
          }),
        (error: unknown) => error instanceof RangeError && message.test(error.message),
      );
    });
  }
});
