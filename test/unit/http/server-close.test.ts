import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Agent, get, type IncomingMessage } from 'node:http';
import { describe, mock, test } from 'node:test';

import { connect, type Socket } from 'node:net';

import { ALLOW_ALL } from '../../../src/http/authenticator.ts';
import { RESULT_VERSION_HEADER } from '../../../src/http/routes.ts';
import { CLOSE_GRACE_MS, createQueryServer } from '../../../src/http/server.ts';
import { MetadataIndex } from '../../../src/index/metadata-index.ts';
import { createMetrics } from '../../../src/observability/metrics.ts';
import { createRootLogger } from '../../../src/observability/logger.ts';
import { counterValue, startFixture, waitUntil, type ServerFixture } from './server-fixture.ts';

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
 * Opens a connection that sends a request whose body never completes, so that the connection
 * stays busy after the response: resolves once the server has answered the request's headers.
 */
async function openBusyConnection(fixture: ServerFixture): Promise<Socket> {
  const labels = { route: '/healthz', code: '200' };
  const before = await counterValue(fixture.metrics, 'metadata_http_requests_total', labels);
  const { port } = new URL(fixture.baseUrl);
  const socket = connect(Number(port), '127.0.0.1');
  // Read and drop the response, so that the socket sees the end of the stream and closes.
  socket.resume();
  socket.on('error', () => {
    // The server destroys the connection at the end of the test; that reset is expected.
  });
  socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\nContent-Length: 10\r\n\r\nabc');

  await waitUntil('the server answered the half-sent request', async () => {
    const after = await counterValue(fixture.metrics, 'metadata_http_requests_total', labels);
    return after > before;
  });
  return socket;
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
      const socket = await openBusyConnection(fixture);
      const socketClosed = once(socket, 'close');

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
        await socketClosed;
        assert.equal(closed, true);
      } finally {
        mock.timers.reset();
        socket.destroy();
      }
    },
  );

  test(
    'close lets a busy request finish with Connection close',
    { timeout: HANG_GUARD_MS },
    async () => {
      const fixture = await startFixture();
      const first = await fetch(`${fixture.baseUrl}/v1/services`);
      const version = first.headers.get(RESULT_VERSION_HEADER) ?? '';
      await first.arrayBuffer();
      const agent = new Agent({ keepAlive: true });
      const request = get(`${fixture.baseUrl}/v1/services?waitForChange=${version}`, { agent });
      const responded = once(request, 'response') as Promise<[IncomingMessage]>;
      await waitUntil('the request waits for a change', async () => {
        return (await fixture.metrics.waitingRequests.get()).values[0]?.value === 1;
      });

      const closing = fixture.server.close();
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
