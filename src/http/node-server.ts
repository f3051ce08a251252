/**
 * Node's `http.Server` of the query endpoint, with its connection and parser limits: the header
 * size, the headers, request and keep-alive timeouts, and the cap on open connections. Requests
 * that Node responds to by itself (a parser error, a timeout, an `Expect` it cannot meet, a
 * `CONNECT`) get a `Status` body here instead of Node's bare status line.
 *
 * Node's `requestTimeout` and `headersTimeout` bound only the time to receive a request: Node
 * stops checking a connection once its request has been read completely, so a watch stream or a
 * request that blocks on `waitForChange` outlives both. A timed-out request gets a 408 when Node
 * checks its connections, every `connectionsCheckingIntervalMs`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

import type { Metrics } from '../observability/metrics.ts';
import { respondToClientError, writeRawStatus, type ClientErrorLimits } from './client-error.ts';
import { JSON_CONTENT_TYPE, UNMATCHED_ROUTE } from './route-types.ts';
import { methodNotAllowed, StatusError, toStatusBody } from './status.ts';

/** The limits of Node's server and its connections. */
export interface NodeServerLimits extends ClientErrorLimits {
  /** Node's `keepAliveTimeout`: idle time after which a keep-alive connection closes, in ms. */
  readonly keepAliveTimeoutMs: number;
  /** Node's `connectionsCheckingInterval`: how often it checks the two timeouts, in ms. */
  readonly connectionsCheckingIntervalMs: number;
  /** Node's `maxConnections`: connections over it are closed at once. */
  readonly maxConnections: number;
}

/**
 * Creates Node's server with `limits`, which calls `handle` for every request that it parsed
 * completely and responds to every other request with a `Status` body itself.
 *
 * @throws RangeError from Node when a timeout is out of its range, such as a `headersTimeout`
 *   above `requestTimeout`.
 */
export function createNodeServer(
  limits: NodeServerLimits,
  metrics: Metrics,
  handle: (request: IncomingMessage, response: ServerResponse) => void,
): Server {
  const server = createServer(
    {
      maxHeaderSize: limits.maxHeaderSize,
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: limits.connectionsCheckingIntervalMs,
      // Node responds to a missing Host with a bare 400; the server sends a Status body instead.
      requireHostHeader: false,
    },
    handle,
  );
  server.maxConnections = limits.maxConnections;

  server.on('clientError', (error: Error & { code?: string }, socket) => {
    respondToClientError(error, socket, metrics, limits);
  });
  server.on('checkExpectation', (request: IncomingMessage, response: ServerResponse) => {
    rejectExpectation(request, response, metrics);
  });
  server.on('connect', (request: IncomingMessage, socket) => {
    writeRawStatus(socket, methodNotAllowed('CONNECT', ['GET', 'HEAD']), metrics, UNMATCHED_ROUTE);
  });
  countConnections(server, metrics);

  return server;
}

/** Keeps `httpConnections` current and counts the connections that Node drops over the cap. */
function countConnections(server: Server, metrics: Metrics): void {
  let open = 0;
  server.on('connection', (socket) => {
    open += 1;
    metrics.httpConnections.set(open);
    socket.once('close', () => {
      open -= 1;
      metrics.httpConnections.set(open);
    });
  });
  // Node closes a connection over `maxConnections` before any byte is read, and emits `drop`.
  server.on('drop', () => metrics.httpConnectionsRejectedTotal.inc());
}

/** Answers a request whose `Expect` header is not `100-continue` with a 417 `Status`. */
function rejectExpectation(
  request: IncomingMessage,
  response: ServerResponse,
  metrics: Metrics,
): void {
  const message =
    'the Expect header is not supported: the endpoint accepts only 100-continue; ' +
    'send the request without Expect';
  const status = new StatusError(417, 'BadRequest', message);
  const body = JSON.stringify(toStatusBody(status));

  metrics.httpRequestsTotal.inc({ route: UNMATCHED_ROUTE, code: String(status.code) });
  response.writeHead(status.code, {
    'Content-Type': JSON_CONTENT_TYPE,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    Connection: 'close',
  });
  response.end(request.method === 'HEAD' ? undefined : body);
}
