import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { MetadataIndex } from '../../../src/index/metadata-index.ts';
import type { IndexChange } from '../../../src/index/reader.ts';
import { recordKey } from '../../../src/index/record.ts';
import type { MetadataRecord } from '../../../src/index/record.ts';

function record(name: string, version = '1.0.0'): MetadataRecord {
  return {
    key: recordKey('ns', name),
    namespace: 'ns',
    name,
    uid: `uid-${name}`,
    generation: 1,
    service: name,
    version,
    environment: 'prod',
    region: 'eu',
    tags: [],
    attributes: {},
  };
}

/** An index with one listener that records every notification in order. */
function observedIndex(): { index: MetadataIndex; events: unknown[] } {
  const index = new MetadataIndex();
  const events: unknown[] = [];
  index.subscribe({
    onChange: (change: IndexChange) => events.push(['change', change]),
    onWatermark: (watermark: string) => events.push(['watermark', watermark]),
  });
  return { index, events };
}

describe('MetadataIndex subscribe', () => {
  test('add, update and delete each notify once', () => {
    const { index, events } = observedIndex();
    const first = record('a');
    const second = record('a', '2.0.0');

    index.upsert(first, '10');
    index.upsert(second, '11');
    index.delete(first.key, '12');

    assert.deepEqual(events, [
      ['change', { revision: 1, resourceVersion: '10', after: first }],
      ['change', { revision: 2, resourceVersion: '11', before: first, after: second }],
      ['change', { revision: 3, resourceVersion: '12', before: second }],
    ]);
  });

  test('passes the stored snapshot', () => {
    const { index, events } = observedIndex();

    index.upsert(record('a'));
    const [, change] = events[0] as [string, IndexChange];

    assert.equal(change.after, index.get('ns', 'a'));
    assert.equal(Object.isFrozen(change.after), true);
  });

  test('leaves out resourceVersion when none is passed', () => {
    const { index, events } = observedIndex();

    index.upsert(record('a'));
    const [, change] = events[0] as [string, IndexChange];

    assert.equal(Object.hasOwn(change, 'resourceVersion'), false);
  });

  test('writes that change nothing notify nobody', () => {
    const { index, events } = observedIndex();
    index.upsert(record('a'), '1');
    events.length = 0;

    index.upsert(record('a'), '2');
    index.delete('ns/missing', '3');

    assert.deepEqual(events, []);
  });

  test('watermark advances notify, others do not', () => {
    const { index, events } = observedIndex();

    index.advanceWatermark('5');
    index.advanceWatermark('5');
    index.advanceWatermark('4');
    index.advanceWatermark('0099999999999999999999');

    assert.deepEqual(events, [
      ['watermark', '5'],
      ['watermark', '99999999999999999999'],
    ]);
  });

  test('the index is updated when a listener runs', () => {
    const index = new MetadataIndex();
    const seen: number[] = [];
    index.subscribe({ onChange: () => seen.push(index.size, index.revision) });

    index.upsert(record('a'));

    assert.deepEqual(seen, [1, 1]);
  });

  test('unsubscribe stops notifications', () => {
    const index = new MetadataIndex();
    let count = 0;
    const unsubscribe = index.subscribe({ onChange: () => (count += 1) });

    index.upsert(record('a'));
    unsubscribe();
    unsubscribe();
    index.upsert(record('b'));

    assert.equal(count, 1);
  });

  test('a listener without a method is skipped', () => {
    const index = new MetadataIndex();
    index.subscribe({});

    assert.equal(index.upsert(record('a')), true);
    index.advanceWatermark('1');
  });

  test('a throwing listener does not stop the others', () => {
    const index = new MetadataIndex();
    const calls: string[] = [];
    index.subscribe({
      onChange: () => {
        throw new Error('listener broke');
      },
    });
    index.subscribe({ onChange: () => calls.push('second') });

    assert.throws(() => index.upsert(record('a')), { message: 'listener broke' });
    assert.deepEqual(calls, ['second']);
    assert.equal(index.size, 1);
  });

  test('several throwing listeners give an AggregateError', () => {
    const index = new MetadataIndex();
    const fail = (): never => {
      throw new Error('broke');
    };
    index.subscribe({ onWatermark: fail });
    index.subscribe({ onWatermark: fail });

    assert.throws(() => index.advanceWatermark('3'), { name: 'AggregateError' });
    assert.equal(index.watermark, '3');
  });
});
