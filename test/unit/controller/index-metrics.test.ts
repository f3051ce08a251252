import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';

import { pino } from 'pino';

import { IndexMetrics } from '../../../src/controller/index-metrics.ts';
import { MetadataIndex } from '../../../src/index/metadata-index.ts';
import { recordKey, type MetadataRecord } from '../../../src/index/record.ts';
import { createMetrics, type Metrics } from '../../../src/observability/metrics.ts';

function record(namespace: string, name: string, version = '1.0.0'): MetadataRecord {
  return {
    key: recordKey(namespace, name),
    namespace,
    name,
    uid: `uid-${namespace}-${name}`,
    generation: 1,
    service: name,
    version,
    environment: 'production',
    region: 'eu-west',
    tags: [],
    attributes: {},
  };
}

interface Setup {
  readonly index: MetadataIndex;
  readonly metrics: Metrics;
  readonly warnings: string[];
}

function setup(options: { infoMetric?: boolean; infoMetricMaxSeries?: number } = {}): Setup {
  const warnings: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback): void {
      const line = JSON.parse(chunk.toString()) as { level: number; msg: string };
      if (line.level === 40) {
        warnings.push(line.msg);
      }
      callback();
    },
  });
  const metrics = createMetrics();
  const index = new MetadataIndex();
  index.subscribe(new IndexMetrics({ metrics, logger: pino(sink), ...options }));
  return { index, metrics, warnings };
}

/** Returns the `metadata_index_objects` value of each namespace that has a series. */
async function namespaceCounts(metrics: Metrics): Promise<Record<string, number>> {
  const { values } = await metrics.indexObjects.get();
  return Object.fromEntries(values.map((value) => [String(value.labels.namespace), value.value]));
}

/** Returns `namespace/name@version` of each `metadata_service_info` series, sorted. */
async function infoSeries(metrics: Metrics): Promise<string[]> {
  const { values } = await metrics.serviceInfo.get();
  return values.map(({ labels }) => `${labels.namespace}/${labels.name}@${labels.version}`).sort();
}

async function omitted(metrics: Metrics): Promise<number> {
  return (await metrics.serviceInfoOmittedObjects.get()).values[0]?.value ?? 0;
}

describe('IndexMetrics namespaces', () => {
  test('add raises the namespace gauge', async () => {
    const { index, metrics } = setup();
    index.upsert(record('a', 'x'));
    index.upsert(record('a', 'y'));
    index.upsert(record('b', 'x'));

    assert.deepEqual(await namespaceCounts(metrics), { a: 2, b: 1 });
  });

  test('update keeps the namespace gauge', async () => {
    const { index, metrics } = setup();
    index.upsert(record('a', 'x'));
    index.upsert(record('a', 'x', '2.0.0'));

    assert.deepEqual(await namespaceCounts(metrics), { a: 1 });
  });

  test('delete lowers the namespace gauge', async () => {
    const { index, metrics } = setup();
    index.upsert(record('a', 'x'));
    index.upsert(record('a', 'y'));
    index.delete(recordKey('a', 'x'));

    assert.deepEqual(await namespaceCounts(metrics), { a: 1 });
  });

  test('delete of the last object removes the series', async () => {
    const { index, metrics } = setup();
    index.upsert(record('a', 'x'));
    index.upsert(record('b', 'x'));
    index.delete(recordKey('a', 'x'));

    assert.deepEqual(await namespaceCounts(metrics), { b: 1 });
  });
});

describe('IndexMetrics info series', () => {
  test('off by default', async () => {
    const { index, metrics } = setup();
    index.upsert(record('a', 'x'));

    assert.deepEqual(await infoSeries(metrics), []);
    assert.equal(await omitted(metrics), 0);
  });

  test('one series per object when on', async () => {
    const { index, metrics } = setup({ infoMetric: true });
    index.upsert(record('a', 'x'));
    index.upsert(record('b', 'y'));

    assert.deepEqual(await infoSeries(metrics), ['a/x@1.0.0', 'b/y@1.0.0']);
  });

  test('series carries every label', async () => {
    const { index, metrics } = setup({ infoMetric: true });
    index.upsert(record('a', 'x', '1.2.3'));
    const { values } = await metrics.serviceInfo.get();

    assert.deepEqual(values[0]?.labels, {
      namespace: 'a',
      name: 'x',
      service: 'x',
      version: '1.2.3',
      environment: 'production',
      region: 'eu-west',
    });
    assert.equal(values[0]?.value, 1);
  });

  test('update replaces the series', async () => {
    const { index, metrics } = setup({ infoMetric: true });
    index.upsert(record('a', 'x'));
    index.upsert(record('a', 'x', '2.0.0'));

    assert.deepEqual(await infoSeries(metrics), ['a/x@2.0.0']);
  });

  test('delete removes the series', async () => {
    const { index, metrics } = setup({ infoMetric: true });
    index.upsert(record('a', 'x'));
    index.delete(recordKey('a', 'x'));

    assert.deepEqual(await infoSeries(metrics), []);
  });

  test('cap leaves further objects out', async () => {
    const { index, metrics } = setup({ infoMetric: true, infoMetricMaxSeries: 2 });
    for (const name of ['p', 'q', 'r', 's']) {
      index.upsert(record('a', name));
    }

    assert.deepEqual(await infoSeries(metrics), ['a/p@1.0.0', 'a/q@1.0.0']);
    assert.equal(await omitted(metrics), 2);
  });

  test('cap warns once', () => {
    const { index, warnings } = setup({ infoMetric: true, infoMetricMaxSeries: 1 });
    for (const name of ['p', 'q', 'r']) {
      index.upsert(record('a', name));
    }

    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? '', /series cap/);
  });

  test('update of a left-out object stays left out', async () => {
    const { index, metrics } = setup({ infoMetric: true, infoMetricMaxSeries: 1 });
    index.upsert(record('a', 'p'));
    index.upsert(record('a', 'q'));
    index.upsert(record('a', 'q', '2.0.0'));

    assert.deepEqual(await infoSeries(metrics), ['a/p@1.0.0']);
    assert.equal(await omitted(metrics), 1);
  });

  test('delete of a left-out object lowers the count', async () => {
    const { index, metrics } = setup({ infoMetric: true, infoMetricMaxSeries: 1 });
    index.upsert(record('a', 'p'));
    index.upsert(record('a', 'q'));
    index.delete(recordKey('a', 'q'));

    assert.deepEqual(await infoSeries(metrics), ['a/p@1.0.0']);
    assert.equal(await omitted(metrics), 0);
  });

  test('delete of an exported object admits a left-out one', async () => {
    const { index, metrics } = setup({ infoMetric: true, infoMetricMaxSeries: 2 });
    for (const name of ['p', 'q', 'r']) {
      index.upsert(record('a', name));
    }
    index.delete(recordKey('a', 'p'));

    assert.deepEqual(await infoSeries(metrics), ['a/q@1.0.0', 'a/r@1.0.0']);
    assert.equal(await omitted(metrics), 0);
  });

  test('rejects a negative cap', () => {
    const options = { metrics: createMetrics(), logger: pino({ level: 'silent' }) };

    assert.throws(
      () => new IndexMetrics({ ...options, infoMetricMaxSeries: -1 }),
      /invalid infoMetricMaxSeries -1/,
    );
  });
});
