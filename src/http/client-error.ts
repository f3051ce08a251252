/**
 * Responds to requests that Node's HTTP server rejects before any route receives them: a malformed
 * request line, a byte that is not allowed in a URL, headers over `maxHeaderSize`, or a request
 * that did not arrive within the headers or request timeout. Without a handler Node sends a bare
 * 400, 408 or 431 with no body; this one sends the same code with a `Status` body that names the
 * limit, so that every rejected request reads the same to a client.
 */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

import type { Metrics } from '../observability/metrics.ts';
import { StatusError, toStatusBody } from './status.ts';

/** The `route` label of requests that the parser rejected. */
export const UNPARSED_ROUTE = 'unparsed';

/** Node's parser error code for a request line and headers over `maxHeaderSize`. */
const HEADER_OVERFLOW = 'HPE_HEADER_OVERFLOW';

/** Node's parser error code for a URL with a byte that a URL may not contain. */
const INVALID_URL = 'HPE_INVALID_URL';

/** Node's error code when the headers or the whole request did not arrive in time. */
const REQUEST_TIMEOUT = 'ERR_HTTP_REQUEST_TIMEOUT';

/** The limits of Node's HTTP server that a parser error message names. */
export interface ClientErrorLimits {
  /** Node's `maxHeaderSize`: bytes of the request line and headers together. */
  readonly maxHeaderSize: number;
  /** Node's `headersTimeout`, in milliseconds. */
  readonly headersTimeoutMs: number;
  /** Node's `requestTimeout`, in milliseconds. */
  readonly requestTimeoutMs: number;
}

/** Returns the `Status` error sent in response to a parser or timeout error. */
export function statusForClientError(
  err: Error & { code?: string },
  limits: ClientErrorLimits,
): StatusError {
  if (err.code === HEADER_OVERFLOW) {
    const message =
      `request line and headers exceed the maximum of ${limits.maxHeaderSize} bytes; ` +
      'send a shorter URL or fewer headers';
    return new StatusError(431, 'RequestEntityTooLarge', message);
  }

  if (err.code === REQUEST_TIMEOUT) {
    const message =
      `request not received in time: the headers must arrive within ${limits.headersTimeoutMs} ` +
      `ms and the whole request within ${limits.requestTimeoutMs} ms`;
    return new StatusError(408, 'Timeout', message);
  }

  const detail = err.code === undefined ? 'malformed request' : `malformed request (${err.code})`;
  const hint =
    err.code === INVALID_URL
      ? 'percent-encode every byte outside printable ASCII in the URL'
      : 'send a plain HTTP/1.1 request';
  return new StatusError(400, 'BadRequest', `${detail}; ${hint}`);
}

/**
 * Writes the `Status` response for a parser or timeout error to the raw socket and closes it. A
 * socket that can no longer be written to, or one whose response already started, is destroyed
 * instead, because bytes written then would corrupt the response that the client is reading.
 */
export function respondToClientError(
  err: Error & { code?: string },
  socket: Duplex,
  metrics: Metrics,
  limits: ClientErrorLimits,
): void {
  if (!socket.writable || err.code === 'ECONNRESET' || responseStarted(socket)) {
    socket.destroy();
    return;
  }

  writeRawStatus(socket, statusForClientError(err, limits), metrics, UNPARSED_ROUTE);
}

/**
 * Writes a complete `Status` response with `Connection: close` to a raw socket, ends the socket
 * and counts the response in `httpRequestsTotal` under `route`.
 */
export function writeRawStatus(
  socket: Duplex,
  status: StatusError,
  metrics: Metrics,
  route: string,
): void {
  const body = JSON.stringify(toStatusBody(status));
  const head = [
    `HTTP/1.1 ${status.code} ${STATUS_CODES[status.code] ?? status.reason}`,
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Cache-Control: no-store',
    'X-Content-Type-Options: nosniff',
    'Connection: close',
  ];
  metrics.httpRequestsTotal.inc({ route, code: String(status.code) });
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
}

/**
 * Reports whether a response on this socket has sent its head. Node keeps the response in the
 * socket's `_httpMessage` and checks the same field in its own `clientError` default.
 */
function responseStarted(socket: Duplex): boolean {
  const message = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  return message?.headersSent === true;
}
