/**
 * A TCP proxy on 127.0.0.1 that forwards every connection to one target port and lets a test
 * inject network faults between a client and the API server. It forwards bytes unchanged, so TLS
 * passes through and the client still verifies the server's certificate.
 *
 * Faults:
 * - `cut()` closes every open connection, as a server or middlebox that closes them would.
 * - `reset()` sends a TCP RST on every open connection.
 * - `stall()` stops forwarding on the open connections in both directions without closing them,
 *   so both peers see silence, as after a lost NAT entry. Connections opened later are forwarded.
 * - `refuse()` resets each new connection as soon as it is accepted, and records when it came, so
 *   that a test can read a client's reconnect backoff from `attemptTimesMs`.
 * - `resume()` ends a stall and a refusal; held bytes are then delivered.
 */
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';

/** One forwarded connection: the accepted client socket and the socket to the target. */
interface Link {
  readonly client: Socket;
  readonly upstream: Socket;
  stalled: boolean;
  /** Bytes read during a stall, in order, per direction, delivered by `resume()`. */
  readonly held: { toUpstream: Buffer[]; toClient: Buffer[] };
}

/** A running proxy. */
export class TcpProxy {
  private readonly server: Server;
  private readonly targetPort: number;
  private readonly links = new Set<Link>();
  private readonly attempts: number[] = [];
  private refusing = false;
  private accepted = 0;

  private constructor(server: Server, targetPort: number) {
    this.server = server;
    this.targetPort = targetPort;
    server.on('connection', (socket) => this.onConnection(socket));
  }

  /** Starts a proxy on a free port of 127.0.0.1 that forwards to `127.0.0.1:targetPort`. */
  static async start(targetPort: number): Promise<TcpProxy> {
    const server = createServer({ pauseOnConnect: true });
    const proxy = new TcpProxy(server, targetPort);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return proxy;
  }

  /** The port that the proxy listens on. */
  get port(): number {
    const address = this.server.address();
    if (address === null || typeof address === 'string') {
      throw new Error('the proxy is not listening');
    }
    return address.port;
  }

  /** The number of connections accepted and forwarded since the start; refused ones excluded. */
  get acceptedConnections(): number {
    return this.accepted;
  }

  /** The number of forwarded connections that are open now. */
  get openConnections(): number {
    return this.links.size;
  }

  /** When each connection arrived, refused ones included, in `performance.now()` milliseconds. */
  get attemptTimesMs(): readonly number[] {
    return this.attempts;
  }

  /** Closes every open connection in both directions. */
  cut(): void {
    for (const link of this.links) {
      link.client.destroy();
      link.upstream.destroy();
    }
  }

  /** Sends a TCP RST to both peers of every open connection. */
  reset(): void {
    for (const link of this.links) {
      resetSocket(link.client);
      resetSocket(link.upstream);
    }
  }

  /** Stops forwarding on every open connection, in both directions, without closing it. */
  stall(): void {
    for (const link of this.links) {
      link.stalled = true;
      link.client.pause();
      link.upstream.pause();
    }
  }

  /** Resets every connection that arrives from now on, until `resume()`. */
  refuse(): void {
    this.refusing = true;
  }

  /** Ends `refuse()` and `stall()`: held bytes are delivered and forwarding continues. */
  resume(): void {
    this.refusing = false;
    for (const link of this.links) {
      if (!link.stalled) {
        continue;
      }
      link.stalled = false;
      for (const chunk of link.held.toUpstream.splice(0)) {
        link.upstream.write(chunk);
      }
      for (const chunk of link.held.toClient.splice(0)) {
        link.client.write(chunk);
      }
      link.client.resume();
      link.upstream.resume();
    }
  }

  /** Closes every connection and stops listening. */
  async close(): Promise<void> {
    this.cut();
    const closed = once(this.server, 'close');
    this.server.close();
    await closed;
  }

  private onConnection(client: Socket): void {
    this.attempts.push(performance.now());
    if (this.refusing) {
      resetSocket(client);
      return;
    }

    this.accepted += 1;
    const upstream = connect({ host: '127.0.0.1', port: this.targetPort });
    const link: Link = { client, upstream, stalled: false, held: { toUpstream: [], toClient: [] } };
    this.links.add(link);

    client.on('data', (chunk: Buffer) => this.forward(link, chunk, 'toUpstream'));
    upstream.on('data', (chunk: Buffer) => this.forward(link, chunk, 'toClient'));
    // A half-close is passed on, so that a request or response body ends where it ended.
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
    const close = (): void => {
      this.links.delete(link);
      client.destroy();
      upstream.destroy();
    };
    // Errors such as ECONNRESET end the link; the peers then see it closed.
    client.on('error', close);
    upstream.on('error', close);
    client.on('close', close);
    upstream.on('close', close);
    client.resume();
  }

  private forward(link: Link, chunk: Buffer, direction: 'toUpstream' | 'toClient'): void {
    if (link.stalled) {
      link.held[direction].push(chunk);
      return;
    }
    const target = direction === 'toUpstream' ? link.upstream : link.client;
    target.write(chunk);
  }
}

/** Sends a RST on a socket; a socket that is not yet connected or already closed is destroyed. */
function resetSocket(socket: Socket): void {
  if (socket.destroyed) {
    return;
  }
  try {
    socket.resetAndDestroy();
  } catch {
    // resetAndDestroy throws ERR_SOCKET_CLOSED when the socket has no handle; closing it is all
    // that is left to do.
    socket.destroy();
  }
}
