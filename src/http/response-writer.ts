/**
 * Writing a handler's result to Node's `ServerResponse`: the status, the common headers, and the
 * body, or a stream that writes the body over time. Also the `Status` response of an error.
 */
import type { ServerResponse } from 'node:http';

import type { Logger } from '../observability/logger.ts';
import { JSON_CONTENT_TYPE, type HttpResponse } from './route-types.ts';
import { internalError, StatusError, toStatusBody } from './status.ts';

/**
 * Turns an error into a `Status` response. A `StatusError` is the client's mistake or a 503 and
 * is not logged above debug. Any other error is a bug, logged with `err` and sent as a 500.
 */
export function errorResponse(
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
export function splitTarget(target: string): { path: string; rawQuery: string } {
  const separator = target.indexOf('?');
  if (separator === -1) {
    return { path: target, rawQuery: '' };
  }

  return { path: target.slice(0, separator), rawQuery: target.slice(separator + 1) };
}

/**
 * Writes the status, the common and extra headers, and the body unless the method is HEAD. A
 * streamed body is started after the head, or cancelled for HEAD.
 */
export function writeResponse(
  response: ServerResponse,
  method: string,
  result: HttpResponse,
  headers: Readonly<Record<string, string>>,
  closing: boolean,
): void {
  response.statusCode = result.status;
  response.setHeader('Content-Type', result.contentType);
  if (result.stream === undefined) {
    response.setHeader('Content-Length', Buffer.byteLength(result.body));
  }

  response.setHeader('Cache-Control', 'no-store');
  response.setHeader('X-Content-Type-Options', 'nosniff');
  for (const [name, value] of Object.entries(headers)) {
    response.setHeader(name, value);
  }

  // While the server closes, a keep-alive connection that is still busy must end after this
  // response, or close() would wait for the client to hang up. A stream's connection ends with
  // the stream for the same reason, since a stream can end at shutdown.
  if (closing || result.stream !== undefined) {
    response.setHeader('Connection', 'close');
  }

  if (result.stream === undefined) {
    response.end(method === 'HEAD' ? undefined : result.body);
    return;
  }

  if (method === 'HEAD') {
    result.stream.cancel();
    response.end();
    return;
  }

  response.flushHeaders();
  result.stream.start(response);
}

/** Ends a response that failed half-way: a bare 500 if nothing was sent, else drops the socket. */
export function abortResponse(response: ServerResponse): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }

  response.statusCode = 500;
  response.end();
}
