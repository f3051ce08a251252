/**
 * The metrics endpoint: an HTTP server of its own that serves `GET /metrics`, the registry in the
 * Prometheus text format, and the kubelet's probes `/healthz` and `/readyz`. It listens on a port
 * apart from the query endpoint, so that a NetworkPolicy can admit tenants to queries and only the
 * monitoring system to metrics, and so that tenant connections cannot starve the probes.
 *
 * Every other path gets a 404 and every other method a 405, both with a Kubernetes `Status` body.
 * Scrapes are not counted in `metadata_http_requests_total`, which describes the query endpoint.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

import type { Logger } from '../observability/logger.ts';
import { listenOn } from './listen.ts';
import type { Metrics } from '../observability/metrics.ts';
import { respondToClientError, type ClientErrorLimits } from './client-error.ts';
import { abortResponse, errorResponse, splitTarget, writeResponse } from './response-writer.ts';
import { text, type HttpResponse } from './route-types.ts';
import { methodNotAllowed, pathNotFound, serviceUnavailable } from './status.ts';

/** The path of the metrics. */
export const METRICS_PATH = '/metrics';

/** The paths that the metrics endpoint serves: the metrics, and the kubelet's two probes. */
const PATHS: readonly string[] = [METRICS_PATH, '/healthz', '/readyz'];

/**
 * The maximum number of open connections to the metrics endpoint. Further ones are closed at
 * once: scrapers and the kubelet open few, and the cap keeps a flood from starving them.
 */
const MAX_CONNECTIONS = 64;

/** Default of `MetricsServerOptions.port`. */
export const DEFAULT_METRICS_PORT = 9090;

/** Maximum time in ms that `close()` waits for a scrape in flight before dropping it. */
export const METRICS_CLOSE_GRACE_MS = 5000;

const ALLOWED_METHODS: readonly string[] = ['GET', 'HEAD'];

/** Options of `createMetricsServer`. */
export interface MetricsServerOptions {
  /** The metrics to export; their registry is read on every scrape. Required. */
  readonly metrics: Metrics;
  /** The parent logger; the server logs through a child with `component: 'metrics'`. Required. */
  readonly logger: Logger;
  /** The address to listen on. Default: `0.0.0.0`. */
  readonly host?: string;
  /** The TCP port to listen on; 0 picks a free port. Default: `DEFAULT_METRICS_PORT` (9090). */
  readonly port?: number;
  /**
   * The readiness signal behind `/readyz`, the same as the query endpoint's. Default: always
   * ready.
   */
  readonly readiness?: () => { ready: boolean; reason?: string };
}

/** A metrics endpoint that has been created but not necessarily started. */
export interface MetricsServer {
  /**
   * Starts listening. Resolves with the bound port, which differs from the option when it was 0.
   *
   * @throws Error from Node when the address cannot be bound, such as `EADDRINUSE`.
   */
  listen(): Promise<{ port: number }>;
  /**
   * Stops accepting connections. Idle connections close at once, and a scrape in flight gets its
   * response, or is dropped after `METRICS_CLOSE_GRACE_MS`. Resolves once every connection is
   * closed, or at once when the server is not listening.
   */
  close(): Promise<void>;
}

/**
 * The request limits of the metrics endpoint. A scrape is one short GET, so the limits are those
 * of the query endpoint's defaults and not configurable.
 */
const SCRAPE_LIMITS: ClientErrorLimits = {
  maxHeaderSize: 16_384,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
};

/**
 * Creates the metrics endpoint. It does not listen until `listen()` is called.
 *
 * @throws RangeError when `port` is not an integer from 0 to 65535.
 */
export function createMetricsServer(options: MetricsServerOptions): MetricsServer {
  const host = options.host ?? '0.0.0.0';
  const port = options.port ?? DEFAULT_METRICS_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`invalid metrics port ${port}: must be an integer from 0 to 65535`);
  }

  const logger = options.logger.child({ component: 'metrics' });
  const state = { closing: false };
  const server = createServer(
    {
      maxHeaderSize: SCRAPE_LIMITS.maxHeaderSize,
      headersTimeout: SCRAPE_LIMITS.headersTimeoutMs,
      requestTimeout: SCRAPE_LIMITS.requestTimeoutMs,
      // Node checks both timeouts this often; its default of 30 s would let them run 30 s late.
      connectionsCheckingInterval: 1000,
    },
    (request, response) => {
      respond(options, logger, state, request, response).catch((error: unknown) => {
        logger.error({ err: error }, 'failed to write metrics response');
        abortResponse(response);
      });
    },
  );
  server.maxConnections = MAX_CONNECTIONS;
  server.on('error', (error) => logger.error({ err: error }, 'metrics server failed'));
  server.on('clientError', (error: Error & { code?: string }, socket) => {
    respondToClientError(error, socket, options.metrics, SCRAPE_LIMITS);
  });

  return {
    listen: () => listenOn(server, host, port, logger, 'metrics server'),
    close: async () => {
      state.closing = true;
      await close(server, logger);
      state.closing = false;
    },
  };
}

async function respond(
  options: MetricsServerOptions,
  logger: Logger,
  state: { readonly closing: boolean },
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const method = request.method ?? 'GET';
  const { path } = splitTarget(request.url ?? '/');

  let result: HttpResponse;
  try {
    result = await serve(options, method, path);
  } catch (error) {
    result = errorResponse(error, logger, method, PATHS.includes(path) ? path : 'unmatched');
  }

  // Read at write time: a scrape that started before close() must end its connection too.
  writeResponse(response, method, result, result.headers ?? {}, state.closing);
}

/**
 * Returns the registry's text or a probe's response, or throws the `StatusError` of a wrong path or
 * method, or the 503 of `/readyz` while not ready.
 */
async function serve(
  options: MetricsServerOptions,
  method: string,
  path: string,
): Promise<HttpResponse> {
  if (!PATHS.includes(path)) {
    throw pathNotFound(path, PATHS);
  }
  if (!ALLOWED_METHODS.includes(method)) {
    throw methodNotAllowed(method, ALLOWED_METHODS);
  }
  if (path === '/healthz') {
    return text('ok');
  }
  if (path === '/readyz') {
    const { ready, reason } = options.readiness?.() ?? { ready: true };
    if (!ready) {
      throw serviceUnavailable(reason ?? 'not ready');
    }
    return text('ok');
  }

  const { metrics } = options;
  const { registry } = metrics;
  return { status: 200, contentType: registry.contentType, body: await registry.metrics() };
}

async function close(server: Server, logger: Logger): Promise<void> {
  if (!server.listening) {
    return;
  }

  const closed = new Promise<void>((resolve, reject) => {
    server.close((error) => (error === undefined ? resolve() : reject(error)));
  });
  server.closeIdleConnections();
  const timer = setTimeout(() => server.closeAllConnections(), METRICS_CLOSE_GRACE_MS);
  timer.unref();

  try {
    await closed;
  } finally {
    clearTimeout(timer);
  }
  logger.info('metrics server closed');
}
