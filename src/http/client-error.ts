/**
 * Responds to requests that Node's HTTP parser rejects before any route sees them: a malformed request
 * line, a byte that is not allowed in a URL, or headers over the size limit. Without a handler Node
 * sends a bare 400 or 431 with no body; this one sends the same code with a `Status` body, so that
 * every rejected request reads the same to a client.
 */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Metrics } from '../observability/metrics.ts';
import { StatusError, toStatusBody } from './status.ts';

/** The `route` label of requests that the parser rejected. */
export const UNPARSED_ROUTE = 'unparsed';

/** Node's parser error codes for a header section over `maxHeaderSize`. */
const HEADER_OVERFLOW_CODES = new Set(['HPE_HEADER_OVERFLOW']);

/** Returns the `Status` error sent in response to a parser error. */
export function statusForClientError(err: Error & { code?: string }): StatusError {
  if (err.code !== undefined && HEADER_OVERFLOW_CODES.has(err.code)) {
    const message =
      'request headers or URL exceed the server limit of 16 KiB; send a shorter query';
    return new StatusError(431, 'RequestEntityTooLarge', message);
  }
  const detail = err.code === undefined ? 'malformed request' : `malformed request (${err.code})`;
  return new StatusError(
    400,
    'BadRequest',
    `${detail}; percent-encode every byte outside printable ASCII in the URL`,
  );
}

/**
 * Writes the `Status` response for a parser error to the raw socket and closes it. A socket that
 * can no longer be written to, or one whose response already started, is destroyed instead.
 */
export function respondToClientError(
  err: Error & { code?: string },
  socket: Duplex,
  metrics: Metrics,
): void {
  if (!socket.writable || err.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }

  const status = statusForClientError(err);
  const body = JSON.stringify(toStatusBody(status));
  const head = [
    `HTTP/1.1 ${status.code} ${STATUS_CODES[status.code] ?? status.reason}`,
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
  ];
  metrics.httpRequestsTotal.inc({ route: UNPARSED_ROUTE, code: String(status.code) });
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
}
