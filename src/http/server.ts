/**
 * The HTTP server of the query endpoint, on Node's `http` module. It matches the route, runs the
 * handler, turns every error into a `Status` body, adds the common headers, and records one
 * `httpRequestsTotal` and one `httpRequestDurationSeconds` sample per request (plus
 * `queryDurationSeconds` on the query routes).
 *
 * The server receives everything it reads as plain values: the index's read interface, a readiness
 * signal and a staleness gauge. It never talks to the API server itself. While it listens it
 * subscribes to the index, and passes each change and watermark advance to the result cache, the
 * result versions and the waits for a resourceVersion.
 */
import { setMaxListeners } from 'node:events';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

import type { IndexListener } from '../index/reader.ts';
import type { Logger } from '../observability/logger.ts';
import { listenOn } from './listen.ts';
import { ANONYMOUS_CALLER } from './authenticator.ts';
import { clientKeyOf } from './caller.ts';
import { createNodeServer } from './node-server.ts';
import { QueryCache } from './query-cache.ts';
import { authenticateRequest } from './request-access.ts';
import { abortResponse, errorResponse, splitTarget, writeResponse } from './response-writer.ts';
import { checkRequestHead } from './request-head.ts';
import { resolveRequestLimits } from './request-limits.ts';
import { ResultVersions } from './result-versions.ts';
import {
  matchRoute,
  RESOURCE_VERSION_HEADER,
  ROUTE_PATTERNS,
  SHUTDOWN,
  STALE_SECONDS_HEADER,
  type CachedQueryResult,
  type HttpResponse,
  type Route,
  type RouteContext,
} from './routes.ts';
import { UNMATCHED_ROUTE } from './route-types.ts';
import {
  DEFAULT_CACHE_MAX_BYTES,
  DEFAULT_CACHE_MAX_ENTRIES,
  DEFAULT_CACHE_TTL_SECONDS,
  DEFAULT_HOST,
  DEFAULT_MAX_TRACKED_QUERIES,
  DEFAULT_MAX_WATCH_STREAMS,
  DEFAULT_MAX_WATCH_STREAMS_PER_CALLER,
  DEFAULT_PORT,
  DEFAULT_WATCH_BOOKMARK_INTERVAL_MS,
  DEFAULT_WATCH_MAX_BUFFER_BYTES,
  nodeServerLimits,
  type QueryServerOptions,
} from './server-options.ts';
import { methodNotAllowed, pathNotFound } from './status.ts';
import { WatchRegistry } from './watch-registry.ts';
import { WatermarkWaiter } from './watermark-waiter.ts';

export * from './server-options.ts';
export { STALE_SECONDS_HEADER } from './routes.ts';
export { UNMATCHED_ROUTE } from './route-types.ts';

/**
 * Maximum time in ms that `close()` waits for busy connections, such as one that sent half a
 * request, before it destroys them.
 */
export const CLOSE_GRACE_MS = 5000;

const ALLOWED_METHODS: readonly string[] = ['GET', 'HEAD'];

/** A query endpoint that has been created but not necessarily started. */
export interface QueryServer {
  /**
   * Starts listening and subscribes to the index. Resolves with the bound port, which differs
   * from the option when it was 0.
   *
   * @throws Error from Node when the address cannot be bound, such as `EADDRINUSE`.
   */
  listen(): Promise<{ port: number }>;
  /**
   * Stops accepting connections, ends every watch stream, and wakes every waiting request: a
   * `waitForChange` request returns its current result, and a request still waiting for a
   * resourceVersion gets a 503. Idle keep-alive connections close at once. Busy connections
   * close after their response, or are destroyed after `CLOSE_GRACE_MS`. Resolves once every
   * connection is closed, then unsubscribes from the index and empties the cache; resolves at
   * once when the server is not listening.
   */
  close(): Promise<void>;
}

interface ServerState {
  readonly context: RouteContext;
  readonly options: QueryServerOptions;
  readonly logger: Logger;
  readonly state: { closing: boolean; shutdown: AbortController; unsubscribe?: () => void };
}

/**
 * Creates the query endpoint. It does not listen until `listen()` is called.
 *
 * @throws RangeError when `port`, a cache bound, `maxTrackedQueries`, a request or connection
 *   limit, a timeout or a watch option is out of range.
 */
export function createQueryServer(options: QueryServerOptions): QueryServer {
  const host = options.host ?? DEFAULT_HOST;
  const port = options.port ?? DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`invalid port ${port}: must be an integer from 0 to 65535`);
  }

  const logger = options.logger.child({ component: 'http' });
  const server: ServerState = {
    context: createContext(options, logger),
    options,
    logger,
    state: { closing: false, shutdown: newShutdownController() },
  };
  const httpServer = createNodeServer(
    nodeServerLimits(options),
    options.metrics,
    (request, response) => {
      handleRequest(server, request, response).catch((error: unknown) => {
        logger.error({ err: error }, 'failed to write response');
        abortResponse(response);
      });
    },
  );
  httpServer.on('error', (error) => logger.error({ err: error }, 'query server failed'));

  return {
    listen: async () => {
      const bound = await listenOn(httpServer, host, port, logger, 'query server');
      attach(server);
      return bound;
    },
    close: () => close(httpServer, server),
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

/** Creates the controller that aborts every request at shutdown, with no limit on listeners. */
function newShutdownController(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}

function createContext(options: QueryServerOptions, logger: Logger): RouteContext {
  const { index, metrics } = options;
  return {
    index,
    authenticator: options.authenticator,
    logger,
    readiness: options.readiness,
    metrics,
    limits: resolveRequestLimits(options),
    cache: new QueryCache<CachedQueryResult>({
      maxEntries: options.cacheMaxEntries ?? DEFAULT_CACHE_MAX_ENTRIES,
      maxBytes: options.cacheMaxBytes ?? DEFAULT_CACHE_MAX_BYTES,
      ttlSeconds: options.cacheTtlSeconds ?? DEFAULT_CACHE_TTL_SECONDS,
      sizeOf: (result) => result.json.length + (result.next?.length ?? 0),
      metrics,
    }),
    resultVersions: new ResultVersions({
      index,
      maxQueries: options.maxTrackedQueries ?? DEFAULT_MAX_TRACKED_QUERIES,
    }),
    watermarks: new WatermarkWaiter(index),
    watches: new WatchRegistry({
      index,
      maxStreams: options.maxWatchStreams ?? DEFAULT_MAX_WATCH_STREAMS,
      maxStreamsPerCaller: options.maxWatchStreamsPerCaller ?? DEFAULT_MAX_WATCH_STREAMS_PER_CALLER,
      maxBufferBytes: options.watchMaxBufferBytes ?? DEFAULT_WATCH_MAX_BUFFER_BYTES,
      bookmarkIntervalMs: options.watchBookmarkIntervalMs ?? DEFAULT_WATCH_BOOKMARK_INTERVAL_MS,
      metrics,
      logger,
    }),
  };
}

/**
 * Subscribes the cache, the result versions and the watermark waits to the index. An error in
 * one of them is logged and not thrown, because the index would throw it to its writer, the
 * watch event handler, which has no use for an HTTP error.
 */
function attach(server: ServerState): void {
  const { context, state, logger } = server;
  state.closing = false;
  state.shutdown = newShutdownController();
  context.watches.reopen();
  context.cache.clear();
  context.resultVersions.clear();

  const guard = (run: () => void): void => {
    try {
      run();
    } catch (error) {
      logger.error({ err: error }, 'failed to apply an index notification');
    }
  };
  const listener: IndexListener = {
    onChange: (change) => {
      guard(() => context.cache.invalidate(change));
      guard(() => context.resultVersions.onChange(change));
    },
    onWatermark: (watermark) => {
      guard(() => context.resultVersions.onWatermark(watermark));
      guard(() => context.watermarks.onWatermark(watermark));
    },
  };
  state.unsubscribe = context.index.subscribe(listener);
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
  const signal = requestSignal(server, response);

  const result = await produceResponse(server, request, { path, rawQuery, match, signal });

  const headers: Record<string, string> = { ...result.headers };
  if (match?.route.isQuery === true) {
    addQueryHeaders(server, headers);
  }

  writeResponse(response, method, result, headers, server.state.closing);

  const seconds = (performance.now() - startedAt) / 1000;
  const { metrics } = server.context;
  metrics.httpRequestsTotal.inc({ route, code: String(result.status) });
  metrics.httpRequestDurationSeconds.observe({ route }, seconds);
  if (match?.route.isQuery === true && result.waited !== true) {
    metrics.queryDurationSeconds.observe({ route }, seconds);
  }

  const durationMs = Math.round(seconds * 1e6) / 1000;
  server.logger.debug({ method, route, code: result.status, durationMs }, 'request served');
}

/** Adds `X-Index-Stale-Seconds`, and `X-Resource-Version` unless the handler set it. */
function addQueryHeaders(server: ServerState, headers: Record<string, string>): void {
  const stale = formatStaleSeconds(server.options.staleSeconds());
  if (stale !== undefined) {
    headers[STALE_SECONDS_HEADER] = stale;
  }

  headers[RESOURCE_VERSION_HEADER] ??= server.context.index.watermark;
}

/**
 * Returns the signal of one request: it aborts with `SHUTDOWN` when the server shuts down, or
 * when the client disconnects before the response is complete.
 */
function requestSignal(server: ServerState, response: ServerResponse): AbortSignal {
  const controller = new AbortController();
  const shutdown = server.state.shutdown.signal;
  const onShutdown = (): void => controller.abort(SHUTDOWN);
  shutdown.addEventListener('abort', onShutdown, { once: true });

  response.once('close', () => {
    shutdown.removeEventListener('abort', onShutdown);
    if (!response.writableFinished) {
      controller.abort('disconnected');
    }
  });

  return controller.signal;
}

/** The parts of a request that `produceResponse` reads besides Node's request. */
interface RequestTarget {
  readonly path: string;
  readonly rawQuery: string;
  readonly match: { route: Route; pathSegments: string[] } | undefined;
  readonly signal: AbortSignal;
}

/**
 * Runs the handler of the matched route, or builds the error response. A query route first
 * authenticates the request; the other routes are open.
 */
async function produceResponse(
  server: ServerState,
  incoming: IncomingMessage,
  { path, rawQuery, match, signal }: RequestTarget,
): Promise<HttpResponse> {
  const method = incoming.method ?? 'GET';
  try {
    checkRequestHead(incoming, server.context.limits.maxUrlLength);

    if (match === undefined) {
      throw pathNotFound(path, ROUTE_PATTERNS);
    }

    if (!ALLOWED_METHODS.includes(method)) {
      throw methodNotAllowed(method, ALLOWED_METHODS);
    }

    const { context } = server;
    const authorization = incoming.headers.authorization;
    const caller = match.route.isQuery
      ? await authenticateRequest(context.authenticator, authorization, context.logger)
      : ANONYMOUS_CALLER;
    const client = clientKeyOf(incoming, caller);
    const request = { pathSegments: match.pathSegments, rawQuery, signal, caller, client };
    return await match.route.handle(server.context, request);
  } catch (error) {
    return errorResponse(error, server.logger, method, match?.route.pattern ?? UNMATCHED_ROUTE);
  }
}

async function close(httpServer: Server, server: ServerState): Promise<void> {
  if (!httpServer.listening) {
    return;
  }

  const { state, context, logger } = server;
  state.closing = true;
  state.shutdown.abort(SHUTDOWN);
  context.watches.closeAll();

  const closed = new Promise<void>((resolve, reject) => {
    httpServer.close((error) => (error === undefined ? resolve() : reject(error)));
  });
  httpServer.closeIdleConnections();
  const timer = setTimeout(() => httpServer.closeAllConnections(), CLOSE_GRACE_MS);
  timer.unref();

  try {
    await closed;
  } finally {
    clearTimeout(timer);
    state.unsubscribe?.();
    state.unsubscribe = undefined;
    context.cache.clear();
    context.resultVersions.clear();
  }

  logger.info('query server closed');
}
