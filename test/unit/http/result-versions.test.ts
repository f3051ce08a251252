import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { ResultVersions } from '../../../src/http/result-versions.ts';
import { WatermarkWaiter } from '../../../src/http/watermark-waiter.ts';
import { MetadataIndex } from '../../../src/index/metadata-index.ts';
import { serviceQuerySchema, type ServiceQueryInput } from '../../../src/query/model.ts';
import { makeRecord } from './server-fixture.ts';

const HOUR_MS = 3_600_000;

function query(input: ServiceQueryInput) {
  return serviceQuerySchema.parse(input);
}

/** Creates an index at watermark 100 whose notifications reach new result versions. */
function setUp(maxQueries = 10): { index: MetadataIndex; versions: ResultVersions } {
  const index = new MetadataIndex();
  index.upsert(makeRecord({ namespace: 'a', name: 'api', tags: ['public'] }));
  index.advanceWatermark('100');
  const versions = new ResultVersions({ index, maxQueries });
  index.subscribe({
    onChange: (change) => versions.onChange(change),
    onWatermark: (watermark) => versions.onWatermark(watermark),
  });
  return { index, versions };
}

describe('ResultVersions', () => {
  test('starts a new query at the watermark', () => {
    const { versions } = setUp();

    assert.equal(versions.versionOf(query({ tags: { all: ['public'] } })), '100');
  });

  test('takes the resourceVersion of a matching change', () => {
    const { index, versions } = setUp();
    const publicQuery = query({ tags: { all: ['public'] } });
    versions.versionOf(publicQuery);

    index.upsert(makeRecord({ namespace: 'b', name: 'other' }), '110');
    const afterUnrelated = versions.versionOf(publicQuery);
    index.upsert(makeRecord({ namespace: 'b', name: 'web', tags: ['public'] }), '120');

    assert.equal(afterUnrelated, '100');
    assert.equal(versions.versionOf(publicQuery), '120');
    assert.equal(versions.versionOf(query({ tags: { all: ['public'] }, sort: 'version' })), '120');
  });

  test('takes the next watermark for a change without a newer version', () => {
    const { index, versions } = setUp();
    const publicQuery = query({ tags: { all: ['public'] } });
    versions.versionOf(publicQuery);

    // A relist reports a deleted object with its last resourceVersion, older than the watermark.
    index.delete('a/api', '50');
    const pending = versions.versionOf(publicQuery);
    index.advanceWatermark('130');

    assert.equal(pending, '100');
    assert.equal(versions.versionOf(publicQuery), '130');
  });

  test('wakes a wait on its change only', async () => {
    const { index, versions } = setUp();
    const publicQuery = query({ tags: { all: ['public'] } });
    const wait = versions.waitForChange(publicQuery, 100n, HOUR_MS, new AbortController().signal);
    let outcome: string | undefined;
    void wait.then((value) => (outcome = value));

    index.upsert(makeRecord({ namespace: 'b', name: 'other' }), '110');
    index.advanceWatermark('110');
    await new Promise((resolve) => setImmediate(resolve));
    const afterUnrelated = outcome;
    index.upsert(makeRecord({ namespace: 'b', name: 'web', tags: ['public'] }), '120');

    assert.equal(afterUnrelated, undefined);
    assert.equal(await wait, 'woken');
  });

  const atOnce: ReadonlyArray<readonly [string, bigint, string]> = [
    ['a version before tracking began', 99n, 'unknown'],
    ['a version above the watermark', 101n, 'unknown'],
  ];
  for (const [name, version, expected] of atOnce) {
    test(`returns at once for ${name}`, async () => {
      const { versions } = setUp();
      const signal = new AbortController().signal;

      assert.equal(await versions.waitForChange(query({}), version, HOUR_MS, signal), expected);
    });
  }

  test('returns changed for a version older than the last change', async () => {
    const { index, versions } = setUp();
    versions.versionOf(query({}));
    index.upsert(makeRecord({ namespace: 'b', name: 'web' }), '120');
    const signal = new AbortController().signal;

    assert.equal(await versions.waitForChange(query({}), 100n, HOUR_MS, signal), 'changed');
  });

  test('keeps a query with a wait past the bound', async () => {
    const { index, versions } = setUp(1);
    const waited = query({ namespaces: ['b'] });
    const wait = versions.waitForChange(waited, 100n, HOUR_MS, new AbortController().signal);

    versions.versionOf(query({ namespaces: ['c'] }));
    versions.versionOf(query({ namespaces: ['d'] }));
    index.upsert(makeRecord({ namespace: 'b', name: 'web' }), '120');

    assert.equal(await wait, 'woken');
    assert.equal(versions.versionOf(waited), '120');
  });

  test('forgets the least recently used query', async () => {
    const { index, versions } = setUp(1);
    versions.versionOf(query({ namespaces: ['b'] }));
    index.advanceWatermark('105');
    versions.versionOf(query({ namespaces: ['c'] }));
    const signal = new AbortController().signal;

    const outcome = await versions.waitForChange(
      query({ namespaces: ['b'] }),
      100n,
      HOUR_MS,
      signal,
    );

    assert.equal(outcome, 'unknown');
  });

  test('ends a wait on abort and on timeout', async () => {
    const { versions } = setUp();
    const controller = new AbortController();
    const aborted = versions.waitForChange(query({}), 100n, HOUR_MS, controller.signal);
    controller.abort();

    assert.equal(await aborted, 'aborted');
    assert.equal(
      await versions.waitForChange(query({}), 100n, 1, new AbortController().signal),
      'timeout',
    );
  });
});

describe('WatermarkWaiter', () => {
  function waiterOver(index: MetadataIndex): WatermarkWaiter {
    const waiter = new WatermarkWaiter(index);
    index.subscribe({ onWatermark: (watermark) => waiter.onWatermark(watermark) });
    return waiter;
  }

  test('wakes when the watermark reaches the target', async () => {
    const index = new MetadataIndex();
    const waiter = waiterOver(index);
    const signal = new AbortController().signal;
    const high = waiter.waitFor(200n, HOUR_MS, signal);
    const low = waiter.waitFor(150n, HOUR_MS, signal);

    index.advanceWatermark('150');
    assert.equal(await low, 'woken');
    assert.equal(waiter.size, 1);
    index.advanceWatermark('99999999999999999999');
    assert.equal(await high, 'woken');
    assert.equal(waiter.size, 0);
  });

  test('resolves at once when reached', async () => {
    const index = new MetadataIndex();
    index.advanceWatermark('10');

    assert.equal(
      await waiterOver(index).waitFor(10n, HOUR_MS, new AbortController().signal),
      'woken',
    );
  });

  test('ends on timeout and on an aborted signal', async () => {
    const index = new MetadataIndex();
    const waiter = waiterOver(index);
    const controller = new AbortController();
    controller.abort();

    assert.equal(await waiter.waitFor(5n, 1, new AbortController().signal), 'timeout');
    assert.equal(await waiter.waitFor(5n, HOUR_MS, controller.signal), 'aborted');
    assert.equal(waiter.size, 0);
  });
});
