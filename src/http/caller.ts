/**
 * The client key of a request, under which the per-client limits count it: the authenticated user when
 * the endpoint checks tokens, else the remote IP address of the connection.
 */
import type { IncomingMessage } from 'node:http';

import { ANONYMOUS_CALLER, type Caller } from './authenticator.ts';

/** The client key of a request whose socket has no remote address, as after a disconnect. */
export const UNKNOWN_CLIENT = 'unknown';

/**
 * Returns the key that the per-client limits count a request under: `user:` and the user name of
 * an authenticated caller, or `address:` and the remote IP address when authentication is off.
 *
 * NOTE: without authentication, behind a proxy or a NodePort Service with
 * `externalTrafficPolicy: Cluster`, the remote address is that of the proxy or node, so every
 * client behind it shares one client's limits.
 */
export function clientKeyOf(request: IncomingMessage, caller: Caller): string {
  if (caller !== ANONYMOUS_CALLER) {
    return `user:${caller.username}`;
  }
  return `address:${request.socket.remoteAddress ?? UNKNOWN_CLIENT}`;
}
