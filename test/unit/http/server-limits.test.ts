import assert from 'node:assert/strict';
import { once } from 'node:events';
import { get, type IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, test } from 'node:test';

import type { StatusBody } from '../../../src/http/status.ts';
import { rawGet, sendRaw, type RawResponse } from './raw-http.ts';
import {
  counterValue,
  makeRecord,
  metricValue,
  startFixture,
  waitUntil,
  type FixtureOptions,
  type ServerFixture,
} from './server-fixture.ts';

/** Fails a test that hangs. */
const HANG_GUARD_MS = 8000;

function statusOf(response: RawResponse): StatusBody {
  return JSON.parse(response.body) as StatusBody;
}

describe('query server request limits', () => {
  let fixture: ServerFixture | undefined;
  let port = 0;

  async function start(server: FixtureOptions['server']): Promise<void> {
    fixture = await startFixture({ server });
    port = Number(new URL(fixture.baseUrl).port);
  }

  afterEach(async () => {
    await fixture?.server.close();
    fixture = undefined;
  });

  const cases: ReadonlyArray<{
    name: string;
    server: FixtureOptions['server'];
    target: string;
    status: number;
    message: RegExp;
  }> = [
    {
      name: 'URL over maxUrlLength',
      server: { maxUrlLength: 100 },
      target: `/v1/services?tag=${'a'.repeat(100)}`,
      status: 414,
      message: /^request URL is 117 characters long; the maximum is 100\. /,
    },
    {
      name: 'parameters over maxParameters',
      server: { maxParameters: 3 },
      target: '/v1/services?tag=a&tag=b&region=c&service=d',
      status: 400,
      message: /^query string has 4 parameters; the maximum is 3, repeated parameters included$/,
    },
    {
      name: 'values over maxValuesPerParameter',
      server: { maxValuesPerParameter: 2 },
      target: '/v1/services?tag=a&tag=b&tag=c',
      status: 400,
      message: /^query parameter "tag" is given 3 times; the maximum is 2$/,
    },
    {
      name: 'selector over maxSelectorLength',
      server: { maxSelectorLength: 10 },
      target: '/v1/services?selector=team%3Dpayments',
      status: 400,
      message: /has a value of 13 characters, "team=payments"; the maximum is 10$/,
    },
    {
      name: 'facets parameters over maxParameters',
      server: { maxParameters: 1 },
      target: '/v1/facets?tag=a&tag=b',
      status: 400,
      message: /^query string has 2 parameters; the maximum is 1,/,
    },
    {
      name: 'object parameters over maxParameters',
      server: { maxParameters: 1 },
      target: '/v1/services/a/api?timeout=1s&timeout=2s',
      status: 400,
      message: /^query string has 2 parameters; the maximum is 1,/,
    },
  ];
  for (const { name, server, target, status, message } of cases) {
    test(`${name} gets ${status}`, async () => {
      await start(server);
      const response = await sendRaw(port, rawGet(target));

      assert.equal(response.status, status);
      assert.equal(statusOf(response).code, status);
      assert.match(statusOf(response).message, message);
    });
  }

  test('URL at maxUrlLength is served', async () => {
    await start({ maxUrlLength: 30 });
    const target = '/v1/services?tag=' + 'a'.repeat(13);

    assert.equal(target.length, 30);
    assert.equal((await sendRaw(port, rawGet(target))).status, 200);
  });

  test('headers over maxHeaderSize get 431 naming it', async () => {
    await start({ maxHeaderSize: 2048 });
    const response = await sendRaw(port, rawGet('/healthz', [`X-Pad: ${'p'.repeat(3000)}`]));

    assert.equal(response.status, 431);
    assert.match(statusOf(response).message, /exceed the maximum of 2048 bytes/);
  });

  test('late headers get 408 naming both timeouts', { timeout: HANG_GUARD_MS }, async () => {
    await start({
      headersTimeoutMs: 200,
      requestTimeoutMs: 300,
      connectionsCheckingIntervalMs: 50,
    });
    const response = await sendRaw(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n');

    assert.equal(response.status, 408);
    assert.equal(statusOf(response).reason, 'Timeout');
    assert.match(statusOf(response).message, /within 200 ms and the whole request within 300 ms$/);
  });

  test('missing Host gets 400 with a Status', async () => {
    await start({});
    const response = await sendRaw(port, 'GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n');

    assert.equal(response.status, 400);
    assert.equal(statusOf(response).details?.causes?.[0]?.field, 'Host');
  });

  test('HTTP/1.0 without Host is served', async () => {
    await start({});
    const response = await sendRaw(port, 'GET /healthz HTTP/1.0\r\n\r\n');

    assert.equal(response.status, 200);
  });

  test('unsupported Expect gets 417 with a Status', async () => {
    await start({});
    const response = await sendRaw(port, rawGet('/healthz', ['Expect: magic']));

    assert.equal(response.status, 417);
    assert.equal(statusOf(response).code, 417);
  });

  test('CONNECT gets 405 with a Status', async () => {
    await start({});
    const response = await sendRaw(port, 'CONNECT example.com:443 HTTP/1.1\r\nHost: x\r\n\r\n');

    assert.equal(response.status, 405);
    assert.equal(statusOf(response).reason, 'MethodNotAllowed');
  });
});

describe('query server connection limit', () => {
  let fixture: ServerFixture | undefined;
  const sockets: Socket[] = [];

  afterEach(async () => {
    for (const socket of sockets.splice(0)) {
      socket.destroy();
    }
    await fixture?.server.close();
    fixture = undefined;
  });

  test('closes connections over the cap and counts them', { timeout: HANG_GUARD_MS }, async () => {
    fixture = await startFixture({ server: { maxConnections: 2 } });
    const port = Number(new URL(fixture.baseUrl).port);
    const { metrics } = fixture;
    for (let i = 0; i < 2; i += 1) {
      const socket = connect(port, '127.0.0.1');
      sockets.push(socket);
      await once(socket, 'connect');
    }
    await waitUntil('two connections are open', async () => {
      return (await metricValue(metrics, 'metadata_http_connections')) === 2;
    });

    const response = await sendRaw(port, rawGet('/healthz'));

    assert.equal(response.status, 0);
    assert.equal(await metricValue(metrics, 'metadata_http_connections_rejected_total'), 1);
    assert.equal(await metricValue(metrics, 'metadata_http_connections'), 2);
  });

  test('gauge falls when connections close', { timeout: HANG_GUARD_MS }, async () => {
    fixture = await startFixture();
    const port = Number(new URL(fixture.baseUrl).port);
    const { metrics } = fixture;

    assert.equal((await sendRaw(port, rawGet('/healthz'))).status, 200);
    await waitUntil('no connection is open', async () => {
      return (await metricValue(metrics, 'metadata_http_connections')) === 0;
    });
    assert.equal(await metricValue(metrics, 'metadata_http_connections_rejected_total'), 0);
  });
});

/** A watch opened from `localAddress`, so that the server counts it under that caller. */
async function openWatch(port: number, localAddress: string): Promise<IncomingMessage> {
  const url = `http://127.0.0.1:${port}/v1/services?watch=true`;
  const request = get(url, { agent: false, localAddress });
  const [response] = (await once(request, 'response')) as [IncomingMessage];
  response.setEncoding('utf8');
  return response;
}

describe('query server watch limits', () => {
  let fixture: ServerFixture | undefined;
  const responses: IncomingMessage[] = [];

  afterEach(async () => {
    for (const response of responses.splice(0)) {
      response.destroy();
    }
    await fixture?.server.close();
    fixture = undefined;
  });

  test('per-caller cap gets 429 for that caller only', { timeout: HANG_GUARD_MS }, async () => {
    fixture = await startFixture({ server: { maxWatchStreamsPerCaller: 1 } });
    const port = Number(new URL(fixture.baseUrl).port);
    const first = await openWatch(port, '127.0.0.1');
    responses.push(first);

    const second = await sendRaw(port, rawGet('/v1/services?watch=true'));
    const other = await openWatch(port, '127.0.0.2');
    responses.push(other);

    assert.equal(first.statusCode, 200);
    assert.equal(second.status, 429);
    assert.match(statusOf(second).message, /it has 1 open and the limit per client is 1;/);
    assert.match(second.head, /\r\nRetry-After: 5\r\n/i);
    assert.equal(other.statusCode, 200);
  });

  test('per-caller count falls when a stream ends', { timeout: HANG_GUARD_MS }, async () => {
    fixture = await startFixture({ server: { maxWatchStreamsPerCaller: 1 } });
    const port = Number(new URL(fixture.baseUrl).port);
    const { metrics } = fixture;
    const first = await openWatch(port, '127.0.0.1');
    first.destroy();
    await waitUntil('the first stream ended', async () => {
      return (await metricValue(metrics, 'metadata_http_watch_streams')) === 0;
    });

    const second = await openWatch(port, '127.0.0.1');
    responses.push(second);

    assert.equal(second.statusCode, 200);
  });

  test('global cap applies across callers', { timeout: HANG_GUARD_MS }, async () => {
    fixture = await startFixture({ server: { maxWatchStreams: 1 } });
    const port = Number(new URL(fixture.baseUrl).port);
    responses.push(await openWatch(port, '127.0.0.1'));

    const response = await sendRaw(port, rawGet('/v1/services?watch=true'), {
      localAddress: '127.0.0.3',
    });

    assert.equal(response.status, 429);
    assert.match(statusOf(response).message, /^too many watch streams: 1 are open and the limit/);
  });

  test('watch outlives the request timeout', { timeout: HANG_GUARD_MS }, async () => {
    fixture = await startFixture({
      server: { headersTimeoutMs: 100, requestTimeoutMs: 150, connectionsCheckingIntervalMs: 20 },
    });
    const port = Number(new URL(fixture.baseUrl).port);
    const watch = await openWatch(port, '127.0.0.1');
    responses.push(watch);
    let received = '';
    watch.on('data', (chunk: string) => {
      received += chunk;
    });

    // A request that starts after the watch and times out proves that the watch, older than
    // the request timeout, was checked too.
    const late = await sendRaw(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n');
    fixture.index.upsert(makeRecord({ namespace: 'c', name: 'late' }));
    await waitUntil('the watch received the new record', () => received.includes('"c"'));

    assert.equal(late.status, 408);
    assert.equal(watch.destroyed, false);
    assert.equal(await counterValue(fixture.metrics, 'metadata_http_watch_streams', {}), 1);
  });
});
