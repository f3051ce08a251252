/**
 * The checks of a request's head that run before routing: the length of the request target and
 * the `Host` header that HTTP/1.1 requires.
 */
import type { IncomingMessage } from 'node:http';

import { badRequest, StatusError } from './status.ts';

/**
 * Checks the request line and `Host` of a request that Node parsed.
 *
 * @param maxUrlLength - The maximum length of the request target, in characters.
 * @throws StatusError 414 for a request target over `maxUrlLength`, and 400 for an HTTP/1.1
 *   request without a `Host` header, which RFC 9112 section 3.2 requires a server to reject.
 */
export function checkRequestHead(request: IncomingMessage, maxUrlLength: number): void {
  const length = (request.url ?? '').length;
  if (length > maxUrlLength) {
    const message =
      `request URL is ${length} characters long; the maximum is ${maxUrlLength}. ` +
      'Send fewer or shorter query parameters';
    throw new StatusError(414, 'RequestEntityTooLarge', message);
  }

  if (request.httpVersion === '1.1' && request.headers.host === undefined) {
    const message = 'the Host header is missing; an HTTP/1.1 request must send one';
    throw badRequest(message, [{ reason: 'FieldValueRequired', field: 'Host', message }]);
  }
}
