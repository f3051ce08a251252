import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import { WorkQueue } from '../../../src/controller/work-queue.ts';

const backoff = { initialMs: 100, maxMs: 400 };

describe('WorkQueue', () => {
  it('collapses repeated adds of a waiting key', async () => {
    const queue = new WorkQueue(backoff);
    queue.add('a');
    queue.add('b');
    queue.add('a');
    assert.equal(queue.length, 2);
    assert.equal(await queue.get(), 'a');
    assert.equal(await queue.get(), 'b');
  });

  it('requeues a key added while it is processed, after done', async () => {
    const queue = new WorkQueue(backoff);
    queue.add('a');
    const key = await queue.get();
    queue.add('a');
    assert.equal(queue.length, 0, 'a key being processed is not handed out twice');
    queue.done(key as string);
    assert.equal(queue.length, 1);
    assert.equal(await queue.get(), 'a');
  });

  it('reports each change of its length', async () => {
    const lengths: number[] = [];
    const queue = new WorkQueue(backoff, (length) => lengths.push(length));
    queue.add('a');
    queue.add('b');
    queue.add('a');
    const key = await queue.get();
    queue.add('a');
    queue.done(key as string);
    await queue.get();
    assert.deepEqual(lengths, [1, 2, 1, 2, 1]);
    assert.equal(queue.length, 1);
  });

  it('hands a key to a waiting worker', async () => {
    const queue = new WorkQueue(backoff);
    const pending = queue.get();
    queue.add('a');
    assert.equal(await pending, 'a');
  });

  it('backs off failed keys exponentially with a cap', () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      const queue = new WorkQueue(backoff);
      const delays = [1, 2, 3, 4].map(() => queue.addRateLimited('a'));
      assert.deepEqual(delays, [100, 200, 400, 400]);
      queue.forget('a');
      assert.equal(queue.addRateLimited('a'), 100);
      assert.equal(queue.addRateLimited('b', 2500), 2500, 'a given delay wins');

      assert.equal(queue.length, 0);
      mock.timers.tick(100);
      assert.equal(queue.length, 1);
    } finally {
      mock.timers.reset();
    }
  });

  it('releases waiting workers on shutdown', async () => {
    const queue = new WorkQueue(backoff);
    const pending = queue.get();
    queue.shutDown();
    assert.equal(await pending, undefined);
    queue.add('a');
    assert.equal(await queue.get(), undefined);
  });

  it('returns many keys in order across compactions', async () => {
    const queue = new WorkQueue(backoff);
    const keys = Array.from({ length: 5000 }, (_, index) => `ns/object-${index}`);
    const taken: string[] = [];
    for (const [index, key] of keys.entries()) {
      queue.add(key);
      // Taking one key per two added moves the front past the compaction point while keys remain.
      if (index % 2 === 1) {
        taken.push((await queue.get()) ?? '');
      }
    }
    assert.equal(queue.length, 2500);

    while (queue.length > 0) {
      taken.push((await queue.get()) ?? '');
    }
    assert.deepEqual(taken, keys);
  });

  it('does not queue a waiting key twice after compaction', async () => {
    const queue = new WorkQueue(backoff);
    for (let index = 0; index < 3000; index += 1) {
      queue.add(`key-${index}`);
    }
    for (let index = 0; index < 2000; index += 1) {
      await queue.get();
    }
    queue.add('key-2999');
    assert.equal(queue.length, 1000);
  });
});
