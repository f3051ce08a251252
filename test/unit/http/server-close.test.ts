import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Agent, get, type IncomingMessage } from 'node:http';
import { describe, mock, test } from 'node:test';

import { Gauge } from 'prom-client';

import { ALLOW_ALL } from '../../../src/http/authenticator.ts';
import { CLOSE_GRACE_MS, createQueryServer } from '../../../src/http/server.ts';
import { MetadataIndex } from '../../../src/index/metadata-index.ts';
import { createMetrics, type Metrics } from '../../../src/observability/metrics.ts';
import { createRootLogger } from '../../../src/observability/logger.ts';
import { startFixture } from './server-fixture.ts';

/**
 * Fails a test whose close() hangs, well below Node's default keep-alive timeout of 5 s, which
 * would otherwise end an idle connection by itself. Each test finishes in milliseconds.
 */
const HANG_GUARD_MS = 4000;

/** Sends a GET over a keep-alive agent and resolves with the body once it is read. */
async function getText(agent: Agent, url: string): Promise<string> {
  const request = get(url, { agent });
  const [response] = (await once(request, 'response')) as [NodeJS.ReadableStream];
  let body = '';
  for await (const chunk of response) {
    body += String(chunk);
  }

  return body;
}

/**
 * Adds a gauge whose collection waits until `release()` is called, so that a `/metrics` request
 * stays in flight: `entered` resolves once the server is inside the handler.
 */
function blockMetricsScrape(metrics: Metrics): {
  entered: Promise<undefined>;
  release: () => void;
} {
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

describe('query server close', () => {
  test(
    'close resolves with an idle keep-alive connection',
    { timeout: HANG_GUARD_MS },
    async () => {
      const fixture = await startFixture();
      const agent = new Agent({ keepAlive: true });
      const body = await getText(agent, `${fixture.baseUrl}/healthz`);
      const idleSockets = Object.values(agent.freeSockets).flat();
      assert.equal(body, 'ok');
      assert.equal(idleSockets.length, 1);

      // With setTimeout mocked, the grace timer of close() never fires, so only the closing of
      // idle connections can let close() resolve.
      mock.timers.enable({ apis: ['setTimeout'] });
      try {
        await fixture.server.close();
      } finally {
        mock.timers.reset();
        agent.destroy();
      }
    },
  );

  test(
    'close destroys a busy connection after the grace period',
    { timeout: HANG_GUARD_MS },
    async () => {
      const fixture = await startFixture();
      const blocked = blockMetricsScrape(fixture.metrics);
      const agent = new Agent({ keepAlive: true });
      const request = get(`${fixture.baseUrl}/metrics`, { agent });
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

        mock.timers.tick(CLOSE_GRACE_MS);
        await closing;
        const [error] = (await requestFailed) as [NodeJS.ErrnoException];
        assert.equal(closed, true);
        assert.equal(error.code, 'ECONNRESET');
      } finally {
        mock.timers.reset();
        blocked.release();
        agent.destroy();
      }
    },
  );

  test(
    'close lets a busy request finish with Connection close',
    { timeout: HANG_GUARD_MS },
    async () => {
      const fixture = await startFixture();
      const blocked = blockMetricsScrape(fixture.metrics);
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
    },
  );

  test('close before listen changes nothing', { timeout: HANG_GUARD_MS }, async () => {
    const server = createQueryServer({
      index: new MetadataIndex(),
      authenticator: ALLOW_ALL,
      readiness: () => ({ ready: true }),
      staleSeconds: () => 0,
      metrics: createMetrics(),
      logger: createRootLogger('silent'),
      host: '127.0.0.1',
      port: 0,
    });
    await server.close();
    const { port } = await server.listen();
    const agent = new Agent({ keepAlive: true });
    const request = get(`http://127.0.0.1:${port}/healthz`, { agent });
    const [response] = (await once(request, 'response')) as [IncomingMessage];
    response.resume();

    assert.equal(response.headers.connection, 'keep-alive');
    agent.destroy();
    await server.close();
    await server.close();
  });

  test('listen rejects when the port is taken', async () => {
    const fixture = await startFixture();
    const server = createQueryServer({
      index: fixture.index,
      authenticator: ALLOW_ALL,
      readiness: () => ({ ready: true }),
      staleSeconds: () => 0,
      metrics: createMetrics(),
      logger: createRootLogger('silent'),
      host: '127.0.0.1',
      port: Number(new URL(fixture.baseUrl).port),
    });

    await assert.rejects(server.listen(), { code: 'EADDRINUSE' });
    await fixture.server.close();
  });
});
