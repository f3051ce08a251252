import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WriteLimiter } from '../../../src/controller/write-limiter.ts';

describe('WriteLimiter', () => {
  it('lets a burst through at once', async () => {
    let now = 0;
    const limiter = new WriteLimiter({ qps: 1, burst: 3, nowMs: () => now });
    for (let i = 0; i < 3; i += 1) {
      await limiter.acquire();
    }
    assert.equal(limiter.waitMs(), 1000, 'the fourth write waits one token period');
    now += 500;
    assert.equal(limiter.waitMs(), 500);
  });

  it('refills up to the burst only', async () => {
    let now = 0;
    const limiter = new WriteLimiter({ qps: 10, burst: 2, nowMs: () => now });
    now += 60_000;
    assert.equal(limiter.waitMs(), 0);
    await limiter.acquire();
    await limiter.acquire();
    assert.ok(limiter.waitMs() > 0, 'a quiet minute does not bank more than the burst');
  });

  it('serves waiters in arrival order', async () => {
    const limiter = new WriteLimiter({ qps: 1000, burst: 1 });
    const order: number[] = [];
    await Promise.all([1, 2, 3, 4].map((i) => limiter.acquire().then(() => order.push(i))));
    assert.deepEqual(order, [1, 2, 3, 4]);
  });
});
