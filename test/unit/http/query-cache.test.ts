import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { QueryCache } from '../../../src/http/query-cache.ts';
import { createMetrics, type Metrics } from '../../../src/observability/metrics.ts';

interface Value {
  readonly text: string;
}

async function cacheCount(metrics: Metrics, result: 'hit' | 'miss'): Promise<number> {
  const { values } = await metrics.queryCacheTotal.get();
  return values.find((value) => value.labels.result === result)?.value ?? 0;
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

describe('QueryCache', () => {
  test('serves a value at the same revision', async () => {
    const metrics = createMetrics();
    const cache = new QueryCache<Value>({ maxEntries: 10, ttlSeconds: 0, metrics });
    const first = counting('first');

    const stored = cache.resolve('k', 1, first.compute);
    const served = cache.resolve('k', 1, counting('second').compute);

    assert.equal(served, stored);
    assert.equal(first.calls(), 1);
    assert.equal(await cacheCount(metrics, 'miss'), 1);
    assert.equal(await cacheCount(metrics, 'hit'), 1);
  });

  test('recomputes at another revision', async () => {
    const metrics = createMetrics();
    const cache = new QueryCache<Value>({ maxEntries: 10, ttlSeconds: 0, metrics });

    cache.resolve('k', 1, counting('old').compute);
    const value = cache.resolve('k', 2, counting('new').compute);
    const again = cache.resolve('k', 2, counting('newer').compute);

    assert.equal(value.text, 'new');
    assert.equal(again.text, 'new');
    assert.equal(cache.size, 1);
    assert.equal(await cacheCount(metrics, 'miss'), 2);
    assert.equal(await cacheCount(metrics, 'hit'), 1);
  });

  test('keeps keys apart', () => {
    const cache = new QueryCache<Value>({
      maxEntries: 10,
      ttlSeconds: 0,
      metrics: createMetrics(),
    });

    cache.resolve('a', 1, counting('a').compute);
    const value = cache.resolve('b', 1, counting('b').compute);

    assert.equal(value.text, 'b');
  });

  test('evicts the least recently used entry', () => {
    const cache = new QueryCache<Value>({ maxEntries: 2, ttlSeconds: 0, metrics: createMetrics() });
    cache.resolve('a', 1, counting('a').compute);
    cache.resolve('b', 1, counting('b').compute);
    cache.resolve('a', 1, counting('a2').compute);
    cache.resolve('c', 1, counting('c').compute);

    const a = counting('a3');
    const b = counting('b2');
    cache.resolve('a', 1, a.compute);
    cache.resolve('b', 1, b.compute);

    assert.equal(a.calls(), 0);
    assert.equal(b.calls(), 1);
  });

  test('stores nothing when compute throws', () => {
    const cache = new QueryCache<Value>({
      maxEntries: 10,
      ttlSeconds: 0,
      metrics: createMetrics(),
    });

    assert.throws(
      () =>
        cache.resolve('k', 1, () => {
          throw new Error('bad range');
        }),
      /bad range/,
    );
    assert.equal(cache.size, 0);
  });

  test('maxEntries 0 computes every time', async () => {
    const metrics = createMetrics();
    const cache = new QueryCache<Value>({ maxEntries: 0, ttlSeconds: 0, metrics });
    const source = counting('v');

    cache.resolve('k', 1, source.compute);
    cache.resolve('k', 1, source.compute);

    assert.equal(source.calls(), 2);
    assert.equal(cache.size, 0);
    assert.equal(await cacheCount(metrics, 'hit'), 0);
  });

  const invalidOptions = [
    { maxEntries: -1, ttlSeconds: 0, message: /invalid cacheMaxEntries -1/ },
    { maxEntries: 1.5, ttlSeconds: 0, message: /invalid cacheMaxEntries 1.5/ },
    { maxEntries: 1, ttlSeconds: -5, message: /invalid cacheTtlSeconds -5/ },
    { maxEntries: 1, ttlSeconds: Number.NaN, message: /invalid cacheTtlSeconds NaN/ },
  ];
  for (const { maxEntries, ttlSeconds, message } of invalidOptions) {
    test(`rejects maxEntries ${maxEntries} with ttlSeconds ${ttlSeconds}`, () => {
      assert.throws(
        () => new QueryCache<Value>({ maxEntries, ttlSeconds, metrics: createMetrics() }),
        (error: unknown) => error instanceof RangeError && message.test(error.message),
      );
    });
  }
});
