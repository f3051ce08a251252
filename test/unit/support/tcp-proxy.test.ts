import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { TcpProxy } from '../../support/tcp-proxy.ts';
import { waitFor } from '../../support/wait.ts';

/** An echo server on 127.0.0.1 that counts the bytes it received. */
interface EchoServer {
  readonly server: Server;
  readonly port: number;
  received: number;
}

async function startEcho(): Promise<EchoServer> {
  const server = createServer();
  const echo = { server, port: 0, received: 0 };
  server.on('connection', (socket) => {
    socket.on('data', (chunk: Buffer) => {
      echo.received += chunk.length;
      socket.write(chunk);
    });
    socket.on('error', () => socket.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  assert.notEqual(address, null);
  assert.equal(typeof address, 'object');
  if (address === null || typeof address !== 'object') {
    throw new Error('the echo server has no TCP address');
  }
  echo.port = address.port;
  return echo;
}

/** A client connection through the proxy that collects what it receives and how it ended. */
interface Client {
  readonly socket: Socket;
  readonly text: () => string;
  readonly closed: Promise<void>;
  error?: NodeJS.ErrnoException;
}

async function connectClient(port: number): Promise<Client> {
  const socket = connect({ host: '127.0.0.1', port });
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  const client: Client = {
    socket,
    text: () => Buffer.concat(chunks).toString(),
    // Not `once`, which rejects on 'error'; a reset is an outcome that tests expect.
    closed: new Promise((resolve) => socket.on('close', () => resolve())),
  };
  socket.on('error', (err) => {
    client.error = err;
  });
  await once(socket, 'connect');
  return client;
}

/** Sends `text` and waits until it came back. */
async function roundTrip(client: Client, text: string): Promise<void> {
  const before = client.text();
  client.socket.write(text);
  await waitFor(`echo of ${text}`, () => client.text() === before + text, { timeoutMs: 5000 });
}

let echo: EchoServer;
let proxy: TcpProxy;
const clients: Client[] = [];

async function newClient(): Promise<Client> {
  const client = await connectClient(proxy.port);
  clients.push(client);
  return client;
}

describe('TcpProxy', () => {
  before(async () => {
    echo = await startEcho();
    proxy = await TcpProxy.start(echo.port);
  });

  after(async () => {
    for (const client of clients) {
      client.socket.destroy();
    }
    await proxy.close();
    echo.server.close();
  });

  it('forwards bytes in both directions', async () => {
    const client = await newClient();
    await roundTrip(client, 'hello');
    assert.equal(client.text(), 'hello');
  });

  it('counts accepted connections', async () => {
    const before = proxy.acceptedConnections;
    await newClient();
    await newClient();
    await waitFor('two more accepted connections', () => proxy.acceptedConnections === before + 2);
    assert.equal(proxy.acceptedConnections, before + 2);
  });

  it('cut closes open connections', async () => {
    const client = await newClient();
    await roundTrip(client, 'x');
    proxy.cut();
    await client.closed;
    assert.equal(client.socket.destroyed, true);
  });

  it('reset sends RST to the client', async () => {
    const client = await newClient();
    await roundTrip(client, 'y');
    proxy.reset();
    await client.closed;
    assert.equal(client.error?.code, 'ECONNRESET');
  });

  it('stall holds bytes until resume', async () => {
    const stalled = await newClient();
    await roundTrip(stalled, 'a');
    const receivedBefore = echo.received;
    proxy.stall();
    stalled.socket.write('held');

    // A connection opened after the stall is forwarded; its echo arriving shows that the proxy
    // and the echo server ran while the stalled bytes were held.
    const later = await newClient();
    await roundTrip(later, 'later');
    assert.equal(stalled.text(), 'a');
    assert.equal(echo.received, receivedBefore + 'later'.length);
    assert.equal(stalled.socket.destroyed, false);

    proxy.resume();
    await waitFor('the held bytes to arrive', () => stalled.text() === 'aheld', {
      timeoutMs: 5000,
    });
    assert.equal(stalled.text(), 'aheld');
  });

  it('refuse resets new connections and records them', async () => {
    const accepted = proxy.acceptedConnections;
    const attempts = proxy.attemptTimesMs.length;
    proxy.refuse();
    const refused = connect({ host: '127.0.0.1', port: proxy.port });
    const failure = new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
      refused.on('error', resolve);
      refused.on('close', () => resolve(undefined));
    });
    refused.write('lost');
    const err = await failure;
    assert.equal(err?.code, 'ECONNRESET');
    assert.equal(proxy.attemptTimesMs.length, attempts + 1);
    assert.equal(proxy.acceptedConnections, accepted);
  });

  it('resume accepts connections again after refuse', async () => {
    proxy.refuse();
    proxy.resume();
    const client = await newClient();
    await roundTrip(client, 'back');
    assert.equal(client.text(), 'back');
  });
});
