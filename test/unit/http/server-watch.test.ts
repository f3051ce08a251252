import assert from 'node:assert/strict';
import { once } from 'node:events';
import { get, type IncomingMessage } from 'node:http';
import { afterEach, describe, test } from 'node:test';

import type { StatusBody } from '../../../src/http/status.ts';
import {
  makeRecord,
  metricValue,
  startFixture,
  waitUntil,
  type FixtureOptions,
  type ServerFixture,
} from './server-fixture.ts';

interface WatchEvent {
  type: string;
  object: Record<string, unknown>;
}

const STREAMS = 'metadata_http_watch_streams';
const WAITING = 'metadata_http_waiting_requests';

/** Fails a test that hangs, well below the server's close grace of 5 s. */
const HANG_GUARD_MS = 4000;

/** A watch response read line by line. */
class WatchClient {
  readonly response: IncomingMessage;
  readonly events: WatchEvent[] = [];
  ended = false;
  #partial = '';

  constructor(response: IncomingMessage) {
    this.response = response;
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      const lines = (this.#partial + chunk).split('\n');
      this.#partial = lines.pop() ?? '';
      for (const line of lines) {
        this.events.push(JSON.parse(line) as WatchEvent);
      }
    });
    response.on('end', () => {
      this.ended = true;
    });
    response.on('error', () => {
      this.ended = true;
    });
  }

  /** Waits until `count` events arrived and returns them. */
  async take(count: number): Promise<WatchEvent[]> {
    await waitUntil(`${count} events arrived`, () => this.events.length >= count);
    return this.events.slice(0, count);
  }
}

/** Opens a watch over a plain socket, so that the test controls when the client reads. */
async function openWatch(baseUrl: string, query: string): Promise<WatchClient> {
  const request = get(`${baseUrl}/v1/services?watch=true&${query}`, { agent: false });
  const [response] = (await once(request, 'response')) as [IncomingMessage];
  return new WatchClient(response);
}

function summary(event: WatchEvent): string {
  const { object } = event;
  const subject =
    event.type === 'BOOKMARK'
      ? String(object.resourceVersion)
      : `${String(object.namespace)}/${String(object.name)}`;
  return `${event.type} ${subject}`;
}

describe('query server watch', () => {
  let fixture: ServerFixture;

  async function start(options: FixtureOptions['server'] = {}): Promise<void> {
    fixture = await startFixture({ server: { watchBookmarkIntervalMs: 0, ...options } });
  }

  afterEach(async () => {
    await fixture.server.close();
  });

  test('streams matches, then their changes', { timeout: HANG_GUARD_MS }, async () => {
    await start();
    const client = await openWatch(fixture.baseUrl, 'tag=public');
    await client.take(4);

    fixture.index.upsert(makeRecord({ namespace: 'c', name: 'new', tags: ['public'] }), '1201');
    fixture.index.upsert(makeRecord({ namespace: 'c', name: 'other', tags: ['batch'] }), '1202');
    fixture.index.upsert(
      makeRecord({ namespace: 'a', name: 'web', tags: ['public'], version: '1.11.0' }),
      '1203',
    );
    fixture.index.upsert(makeRecord({ namespace: 'a', name: 'api', tags: ['critical'] }), '1204');
    fixture.index.advanceWatermark('1300');
    const events = await client.take(8);

    assert.equal(client.response.statusCode, 200);
    assert.equal(client.response.headers['content-type'], 'application/x-ndjson');
    assert.equal(client.response.headers['x-resource-version'], '1200');
    assert.deepEqual(events.map(summary), [
      'ADDED a/api',
      'ADDED a/web',
      'ADDED a-b/api',
      'BOOKMARK 1200',
      'ADDED c/new',
      'MODIFIED a/web',
      'DELETED a/api',
      'BOOKMARK 1300',
    ]);
    assert.equal(events[5]?.object.version, '1.11.0');
    assert.deepEqual(events[6]?.object.tags, ['critical', 'public']);
  });

  test('sends DELETED for a deleted match', { timeout: HANG_GUARD_MS }, async () => {
    await start();
    const client = await openWatch(fixture.baseUrl, 'namespace=b');
    await client.take(3);

    fixture.index.delete('a/web', '1201');
    fixture.index.delete('b/worker', '1202');
    const events = await client.take(4);

    assert.equal(summary(events[3] as WatchEvent), 'DELETED b/worker');
  });

  test('coalesces bookmarks', { timeout: HANG_GUARD_MS }, async () => {
    await start({ watchBookmarkIntervalMs: 60_000 });
    const client = await openWatch(fixture.baseUrl, 'namespace=none');
    await client.take(1);

    fixture.index.advanceWatermark('1300');
    fixture.index.advanceWatermark('1400');
    fixture.index.upsert(makeRecord({ namespace: 'none', name: 'x' }), '1401');
    await client.take(2);

    assert.deepEqual(client.events.map(summary), ['BOOKMARK 1200', 'ADDED none/x']);
  });

  test('cuts a slow reader with an Expired error', { timeout: 20_000 }, async () => {
    await start({ watchMaxBufferBytes: 64 * 1024 });
    const client = await openWatch(fixture.baseUrl, 'namespace=big');
    await client.take(1);
    client.response.pause();

    // Each change sends about 4 KiB. The socket buffers of both ends fill first, then the
    // server's; each turn of the event loop lets the server flush what the socket takes.
    const padding = 'x'.repeat(4000);
    let changes = 0;
    while (changes < 50_000 && (await metricValue(fixture.metrics, STREAMS)) > 0) {
      const attributes = { padding, round: String(changes) };
      fixture.index.upsert(makeRecord({ namespace: 'big', name: 'item', attributes }));
      changes += 1;
      await new Promise((resolve) => setImmediate(resolve));
    }

    const streamsAfterCut = await metricValue(fixture.metrics, STREAMS);
    client.response.resume();
    await waitUntil('the stream ended', () => client.ended);
    const last = client.events.at(-1);
    const status = last?.object as unknown as StatusBody;

    assert.equal(streamsAfterCut, 0);
    assert.ok(client.events.length > 20, `only ${client.events.length} events arrived`);
    assert.equal(client.events.at(-2)?.type, 'MODIFIED');
    assert.equal(last?.type, 'ERROR');
    assert.equal(status.reason, 'Expired');
    assert.equal(status.code, 410);
    assert.match(status.message, /over the limit of 65536/);
  });

  test('answers 429 past the stream limit', { timeout: HANG_GUARD_MS }, async () => {
    await start({ maxWatchStreams: 1 });
    const first = await openWatch(fixture.baseUrl, '');

    const response = await fetch(`${fixture.baseUrl}/v1/services?watch=true`);
    const body = (await response.json()) as StatusBody;
    first.response.destroy();
    await waitUntil('the first stream closed', async () => {
      return (await metricValue(fixture.metrics, STREAMS)) === 0;
    });
    const again = await openWatch(fixture.baseUrl, '');
    again.response.destroy();

    assert.equal(response.status, 429);
    assert.equal(body.reason, 'TooManyRequests');
    assert.equal(response.headers.get('retry-after'), '5');
    assert.equal(again.response.statusCode, 200);
  });

  test('unsubscribes when the client disconnects', { timeout: HANG_GUARD_MS }, async () => {
    await start();
    const client = await openWatch(fixture.baseUrl, '');
    await client.take(6);

    client.response.destroy();
    await waitUntil('the stream closed', async () => {
      return (await metricValue(fixture.metrics, STREAMS)) === 0;
    });
    const ended = await fixture.metrics.watchStreamsEndedTotal.get();

    assert.equal(ended.values.find((value) => value.labels.reason === 'client')?.value, 1);
  });

  const conflicts = ['limit=5', 'continue=abc', 'explain=true'];
  for (const conflict of conflicts) {
    test(`rejects watch with ${conflict}`, async () => {
      await start();
      const response = await fetch(`${fixture.baseUrl}/v1/services?watch=true&${conflict}`);
      const body = (await response.json()) as StatusBody;

      assert.equal(response.status, 400);
      assert.ok(body.details?.causes?.some((cause) => cause.field === 'watch'));
    });
  }

  test('close ends streams and blocking queries', { timeout: HANG_GUARD_MS }, async () => {
    await start();
    const client = await openWatch(fixture.baseUrl, 'tag=critical');
    await client.take(3);
    const blocked = fetch(`${fixture.baseUrl}/v1/services?tag=critical&waitForChange=1200`);
    const behind = fetch(`${fixture.baseUrl}/v1/services?minResourceVersion=5000`);
    await waitUntil('both requests wait', async () => {
      return (await metricValue(fixture.metrics, WAITING)) === 2;
    });

    await fixture.server.close();
    const blockedResponse = await blocked;
    const blockedBody = (await blockedResponse.json()) as { total: number };
    const behindResponse = await behind;
    const behindBody = (await behindResponse.json()) as StatusBody;
    await waitUntil('the stream ended', () => client.ended);

    assert.equal(blockedResponse.status, 200);
    assert.equal(blockedBody.total, 2);
    assert.equal(behindResponse.status, 503);
    assert.equal(behindBody.reason, 'ServiceUnavailable');
    assert.equal(client.ended, true);
  });

  test('HEAD returns the head of a watch', { timeout: HANG_GUARD_MS }, async () => {
    await start();
    const response = await fetch(`${fixture.baseUrl}/v1/services?watch=true`, { method: 'HEAD' });

    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/x-ndjson');
    await waitUntil('no stream stays open', async () => {
      return (await metricValue(fixture.metrics, STREAMS)) === 0;
    });
  });
});
