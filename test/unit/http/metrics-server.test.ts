import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Agent, get, type IncomingMessage } from 'node:http';
import { after, before, describe, mock, test } from 'node:test';

import { Gauge } from 'prom-client';

import {
  createMetricsServer,
  METRICS_CLOSE_GRACE_MS,
  type MetricsServer,
} from '../../../src/http/metrics-server.ts';
import type { StatusBody } from '../../../src/http/status.ts';
import { createRootLogger } from '../../../src/observability/logger.ts';
import { createMetrics, type Metrics } from '../../../src/observability/metrics.ts';

/** Fails a test whose close() hangs; each test finishes in milliseconds. */
const HANG_GUARD_MS = 4000;

/** The readiness that the fixture's server reports; tests flip it. */
let readiness: { ready: boolean; reason?: string } = { ready: true };

async function startMetricsServer(): Promise<{
  server: MetricsServer;
  metrics: Metrics;
  baseUrl: string;
}> {
  const metrics = createMetrics();
  const server = createMetricsServer({
    metrics,
    logger: createRootLogger('silent'),
    host: '127.0.0.1',
    port: 0,
    readiness: () => readiness,
  });
  const { port } = await server.listen();
  return { server, metrics, baseUrl: `http://127.0.0.1:${port}` };
}

/**
 * Adds a gauge whose collection waits until `release()` is called, so that a scrape stays in
 * flight: `entered` resolves once the server is collecting.
 */
function blockScrape(metrics: Metrics): { entered: Promise<undefined>; release: () => void } {
  const entered = Promise.withResolvers<undefined>();
  const released = Promise.withResolvers<undefined>();
  new Gauge({
    name: 'test_blocking_gauge',
    help: 'Blocks a scrape until the test releases it.',
    registers: [metrics.registry],
    async collect() {
      entered.resolve(undefined);
      await released.promise;
    },
  });

  return { entered: entered.promise, release: () => released.resolve(undefined) };
}

describe('metrics server', () => {
  let fixture: Awaited<ReturnType<typeof startMetricsServer>>;

  before(async () => {
    fixture = await startMetricsServer();
  });

  after(async () => {
    await fixture.server.close();
  });

  test('GET /metrics returns the text format', async () => {
    fixture.metrics.leader.set(1);
    const response = await fetch(`${fixture.baseUrl}/metrics`);
    const text = await response.text();

    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), fixture.metrics.registry.contentType);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    assert.match(text, /^# TYPE metadata_leader gauge$/m);
    assert.match(text, /^metadata_leader 1$/m);
  });

  test('HEAD /metrics returns no body', async () => {
    const response = await fetch(`${fixture.baseUrl}/metrics`, { method: 'HEAD' });

    assert.equal(response.status, 200);
    assert.equal(await response.text(), '');
  });

  test('/healthz returns ok', async () => {
    const response = await fetch(`${fixture.baseUrl}/healthz`);

    assert.equal(response.status, 200);
    assert.equal(await response.text(), 'ok');
  });

  test('/readyz follows the readiness signal', async () => {
    readiness = { ready: false, reason: 'servicemetadatas not listed yet' };
    const waiting = await fetch(`${fixture.baseUrl}/readyz`);
    const body = (await waiting.json()) as StatusBody;
    readiness = { ready: true };
    const ready = await fetch(`${fixture.baseUrl}/readyz`);

    assert.equal(waiting.status, 503);
    assert.equal(body.message, 'servicemetadatas not listed yet');
    assert.equal(ready.status, 200);
    assert.equal(await ready.text(), 'ok');
  });

  const unknownPaths = ['/', '/metrics/', '/v1/services', '/healthz/', '/metricsx'];
  for (const path of unknownPaths) {
    test(`${path} gets a 404 Status`, async () => {
      const response = await fetch(`${fixture.baseUrl}${path}`);
      const body = (await response.json()) as StatusBody;

      assert.equal(response.status, 404);
      assert.equal(body.kind, 'Status');
      assert.equal(body.reason, 'NotFound');
      assert.match(body.message, /routes are \/metrics, \/healthz, \/readyz$/);
    });
  }

  test('POST /metrics gets a 405 Status', async () => {
    const response = await fetch(`${fixture.baseUrl}/metrics`, { method: 'POST' });
    const body = (await response.json()) as StatusBody;

    assert.equal(response.status, 405);
    assert.equal(response.headers.get('allow'), 'GET, HEAD');
    assert.equal(body.reason, 'MethodNotAllowed');
  });

  test('query string is ignored', async () => {
    const response = await fetch(`${fixture.baseUrl}/metrics?name=metadata_leader`);
    await response.arrayBuffer();

    assert.equal(response.status, 200);
  });

  test('scrapes are not counted as query requests', async () => {
    await (await fetch(`${fixture.baseUrl}/metrics`)).arrayBuffer();
    const { values } = await fixture.metrics.httpRequestsTotal.get();

    assert.deepEqual(values, []);
  });
});

describe('metrics server lifecycle', () => {
  test('rejects an out-of-range port', () => {
    const options = { metrics: createMetrics(), logger: createRootLogger('silent') };

    assert.throws(() => createMetricsServer({ ...options, port: 65536 }), /invalid metrics port/);
    assert.throws(() => createMetricsServer({ ...options, port: 1.5 }), /invalid metrics port/);
  });

  test('close lets a scrape in flight finish', { timeout: HANG_GUARD_MS }, async () => {
    const fixture = await startMetricsServer();
    const blocked = blockScrape(fixture.metrics);
    const agent = new Agent({ keepAlive: true });
    const request = get(`${fixture.baseUrl}/metrics`, { agent });
    const responded = once(request, 'response') as Promise<[IncomingMessage]>;
    await blocked.entered;

    const closing = fixture.server.close();
    blocked.release();
    const [response] = await responded;
    response.resume();
    await closing;

    assert.equal(response.statusCode, 200);
    assert.equal(response.headers.connection, 'close');
    agent.destroy();
  });

  test(
    'close drops a stuck scrape after the grace period',
    { timeout: HANG_GUARD_MS },
    async () => {
      const fixture = await startMetricsServer();
      const blocked = blockScrape(fixture.metrics);
      const request = get(`${fixture.baseUrl}/metrics`);
      const requestFailed = once(request, 'error');
      await blocked.entered;

      mock.timers.enable({ apis: ['setTimeout'] });
      try {
        let closed = false;
        const closing = fixture.server.close().then(() => {
          closed = true;
        });
        await new Promise((resolve) => setImmediate(resolve));
        assert.equal(closed, false);

        mock.timers.tick(METRICS_CLOSE_GRACE_MS);
        await closing;
        const [error] = (await requestFailed) as [NodeJS.ErrnoException];
        assert.equal(closed, true);
        assert.equal(error.code, 'ECONNRESET');
      } finally {
        mock.timers.reset();
        blocked.release();
      }
    },
  );

  test('close before listen changes nothing', async () => {
    const server = createMetricsServer({
      metrics: createMetrics(),
      logger: createRootLogger('silent'),
      host: '127.0.0.1',
      port: 0,
    });

    await server.close();
    const { port } = await server.listen();
    const response = await fetch(`http://127.0.0.1:${port}/metrics`);
    await response.arrayBuffer();
    await server.close();

    assert.equal(response.status, 200);
  });

  test('listen rejects when the port is taken', async () => {
    const fixture = await startMetricsServer();
    const server = createMetricsServer({
      metrics: createMetrics(),
      logger: createRootLogger('silent'),
      host: '127.0.0.1',
      port: Number(new URL(fixture.baseUrl).port),
    });

    await assert.rejects(server.listen(), { code: 'EADDRINUSE' });
    await fixture.server.close();
  });
});
