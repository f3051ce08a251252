/**
 * The HTTP server of the query endpoint, on Node's `http` module. It matches the route, runs the
 * handler, turns every error into a `Status` body, adds the common headers, and records one
 * `httpRequestsTotal` sample per request (plus `queryDurationSeconds` on the query routes).
 *
 * The server receives everything it reads as plain values: the index's read interface, a readiness
 * signal and a staleness gauge. It never talks to the API server itself.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { IndexReader } from '../index/reader.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { respondToClientError } from './client-error.ts';
import { QueryCache } from './query-cache.ts';
import {
  matchRoute,
  JSON_CONTENT_TYPE,
  ROUTE_PATTERNS,
  type CachedQueryResult,
  type HttpResponse,
  type Route,
  type RouteContext,
} from './routes.ts';
import {
  internalError,
  methodNotAllowed,
  pathNotFound,
  StatusError,
  toStatusBody,
} from './status.ts';

/** Default of `QueryServerOptions.host`: every IPv4 interface, as a pod needs. */
export const DEFAULT_HOST = '0.0.0.0';

/** Default of `QueryServerOptions.port`. */
export const DEFAULT_PORT = 8080;

/** Default of `QueryServerOptions.cacheMaxEntries`. */
export const DEFAULT_CACHE_MAX_ENTRIES = 1024;

/** Default of `QueryServerOptions.cacheTtlSeconds`. */
export const DEFAULT_CACHE_TTL_SECONDS = 300;

/** The response header that carries the index staleness on the query routes. */
export const STALE_SECONDS_HEADER = 'X-Index-Stale-Seconds';

/**
 * Maximum time in ms that `close()` waits for busy connections, such as one that sent half a
 * request, before it destroys them.
 */
export const CLOSE_GRACE_MS = 5000;

/** The `route` label of requests to a path that no route serves. */
export const UNMATCHED_ROUTE = 'unmatched';

const ALLOWED_METHODS: readonly string[] = ['GET', 'HEAD'];

/** Options of `createQueryServer`. */
export interface QueryServerOptions {
  /** The index to query. Required. */
  readonly index: IndexReader;
  /**
   * The readiness signal behind `/readyz`, read on every request. Required. The caller decides
   * what ready means (the initial list applied, for example); the server only reports it.
   */
  readonly readiness: () => { ready: boolean; reason?: string };
  /**
   * Seconds since the index last received a watch event or bookmark, sent in
   * `X-Index-Stale-Seconds` and rounded to one decimal. Required. A value that is not finite
   * leaves the header out; a negative value is sent as 0.
   */
  readonly staleSeconds: () => number;
  /** The metrics that the server records. Required. */
  readonly metrics: Metrics;
  /** The parent logger; the server logs through a child with `component: 'http'`. Required. */
  readonly logger: Logger;
  /** The address to listen on. Default: `DEFAULT_HOST` (`0.0.0.0`). */
  readonly host?: string;
  /** The TCP port to listen on; 0 picks a free port. Default: `DEFAULT_PORT` (8080). */
  readonly port?: number;
  /**
   * Maximum number of query results in the result cache; 0 disables the cache.
   * Default: `DEFAULT_CACHE_MAX_ENTRIES` (1024).
   */
  readonly cacheMaxEntries?: number;
  /**
   * Time in whole seconds after which a cached result expires even though the index did not
   * change; 0 means never. Default: `DEFAULT_CACHE_TTL_SECONDS` (300).
   */
  readonly cacheTtlSeconds?: number;
}

/** A query endpoint that has been created but not necessarily started. */
export interface QueryServer {
  /**
   * Starts listening. Resolves with the bound port, which differs from the option when it was 0.
   *
   * @throws Error from Node when the address cannot be bound, such as `EADDRINUSE`.
   */
  listen(): Promise<{ port: number }>;
  /**
   * Stops accepting connections and closes idle keep-alive connections at once. Busy connections
   * close after their response, or are destroyed after `CLOSE_GRACE_MS`. Resolves once every
   * connection is closed; resolves at once when the server is not listening.
   */
  close(): Promise<void>;
}

/**
 * Creates the query endpoint. It does not listen until `listen()` is called.
 *
 * @throws RangeError when `port`, `cacheMaxEntries` or `cacheTtlSeconds` is out of range.
 */
export function createQueryServer(options: QueryServerOptions): QueryServer {
  const host = options.host ?? DEFAULT_HOST;
  const port = options.port ?? DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`invalid port ${port}: must be an integer from 0 to 65535`);
  }

  const logger = options.logger.child({ component: 'http' });
  const context: RouteContext = {
    index: options.index,
    readiness: options.readiness,
    metrics: options.metrics,
    cache: new QueryCache<CachedQueryResult>({
      maxEntries: options.cacheMaxEntries ?? DEFAULT_CACHE_MAX_ENTRIES,
      ttlSeconds: options.cacheTtlSeconds ?? DEFAULT_CACHE_TTL_SECONDS,
      metrics: options.metrics,
    }),
  };

  const state = { closing: false };
  const serverState: ServerState = { context, options, logger, state };
  const server = createServer((request, response) => {
    handleRequest(serverState, request, response).catch((error: unknown) => {
      logger.error({ err: error }, 'failed to write response');
      abortResponse(response);
    });
  });

  server.on('error', (error) => logger.error({ err: error }, 'query server failed'));
  server.on('clientError', (error: Error & { code?: string }, socket) => {
    respondToClientError(error, socket, options.metrics);
  });

  return {
    listen: async () => {
      state.closing = false;
      return await listen(server, host, port, logger);
    },
    close: () => close(server, state, logger),
  };
}

/** Formats the staleness for `X-Index-Stale-Seconds`: an integer or one decimal, such as `2.5`. */
export function formatStaleSeconds(seconds: number): string | undefined {
  if (!Number.isFinite(seconds)) {
    return undefined;
  }

  const rounded = Math.round(Math.max(0, seconds) * 10) / 10;
  return rounded.toFixed(1).replace(/\.0$/, '');
}

interface ServerState {
  readonly context: RouteContext;
  readonly options: QueryServerOptions;
  readonly logger: Logger;
  readonly state: { closing: boolean };
}

/** Handles one request and records its metrics and debug log. */
async function handleRequest(
  server: ServerState,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const startedAt = performance.now();
  const method = request.method ?? 'GET';
  const { path, rawQuery } = splitTarget(request.url ?? '/');
  const match = matchRoute(path);
  const route = match?.route.pattern ?? UNMATCHED_ROUTE;

  const result = await produceResponse(server, method, path, rawQuery, match);

  const headers: Record<string, string> = { ...result.headers };
  if (match?.route.isQuery === true) {
    const stale = formatStaleSeconds(server.options.staleSeconds());
    if (stale !== undefined) {
      headers[STALE_SECONDS_HEADER] = stale;
    }
  }

  writeResponse(response, method, result, headers, server.state.closing);

  const seconds = (performance.now() - startedAt) / 1000;
  const { metrics } = server.context;
  metrics.httpRequestsTotal.inc({ route, code: String(result.status) });
  if (match?.route.isQuery === true) {
    metrics.queryDurationSeconds.observe({ route }, seconds);
  }

  const durationMs = Math.round(seconds * 1e6) / 1000;
  server.logger.debug({ method, route, code: result.status, durationMs }, 'request served');
}

/** Runs the handler of the matched route, or builds the error response. */
async function produceResponse(
  server: ServerState,
  method: string,
  path: string,
  rawQuery: string,
  match: { route: Route; pathSegments: string[] } | undefined,
): Promise<HttpResponse> {
  try {
    if (match === undefined) {
      throw pathNotFound(path, ROUTE_PATTERNS);
    }

    if (!ALLOWED_METHODS.includes(method)) {
      throw methodNotAllowed(method, ALLOWED_METHODS);
    }

    return await match.route.handle(server.context, { pathSegments: match.pathSegments, rawQuery });
  } catch (error) {
    return errorResponse(error, server.logger, method, match?.route.pattern ?? UNMATCHED_ROUTE);
  }
}

/**
 * Turns an error into a `Status` response. A `StatusError` is the client's mistake or a 503 and
 * is not logged above debug. Any other error is a bug, logged with `err` and sent as a 500.
 */
function errorResponse(
  error: unknown,
  logger: Logger,
  method: string,
  route: string,
): HttpResponse {
  let status: StatusError;
  if (error instanceof StatusError) {
    status = error;
  } else {
    logger.error({ err: error, method, route }, 'failed to handle request');
    status = internalError();
  }

  return {
    status: status.code,
    contentType: JSON_CONTENT_TYPE,
    body: JSON.stringify(toStatusBody(status)),
    headers: status.headers,
  };
}

/** Splits a request target into its path and its raw query string (without `?`). */
function splitTarget(target: string): { path: string; rawQuery: string } {
  const separator = target.indexOf('?');
  if (separator === -1) {
    return { path: target, rawQuery: '' };
  }

  return { path: target.slice(0, separator), rawQuery: target.slice(separator + 1) };
}

/** Writes the status, the common and extra headers, and the body unless the method is HEAD. */
function writeResponse(
  response: ServerResponse,
  method: string,
  result: HttpResponse,
  headers: Readonly<Record<string, string>>,
  closing: boolean,
): void {
  response.statusCode = result.status;
  response.setHeader('Content-Type', result.contentType);
  response.setHeader('Content-Length', Buffer.byteLength(result.body));
  response.setHeader('Cache-Control', 'no-store');
  response.setHeader('X-Content-Type-Options', 'nosniff');
  for (const [name, value] of Object.entries(headers)) {
    response.setHeader(name, value);
  }

  // While the server closes, a keep-alive connection that is still busy must end after this
  // response, or close() would wait for the client to hang up.
  if (closing) {
    response.setHeader('Connection', 'close');
  }

  response.end(method === 'HEAD' ? undefined : result.body);
}

/** Ends a response that failed half-way: a bare 500 if nothing was sent, else drops the socket. */
function abortResponse(response: ServerResponse): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }

  response.statusCode = 500;
  response.end();
}

function listen(
  server: Server,
  host: string,
  port: number,
  logger: Logger,
): Promise<{ port: number }> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const bound = (server.address() as AddressInfo).port;
      logger.info({ host, port: bound }, 'query server listening');
      resolve({ port: bound });
    });
  });
}

async function close(server: Server, state: { closing: boolean }, logger: Logger): Promise<void> {
  if (!server.listening) {
    return;
  }

  state.closing = true;
  const closed = new Promise<void>((resolve, reject) => {
    server.close((error) => (error === undefined ? resolve() : reject(error)));
  });
  server.closeIdleConnections();
  const timer = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
  timer.unref();

  try {
    await closed;
  } finally {
    clearTimeout(timer);
  }

  logger.info('query server closed');
}
