/**
 * Who sent a request, as far as the per-caller limits are concerned. Until the endpoint
 * authenticates its clients, a caller is the remote IP address of the connection.
 */
import type { IncomingMessage } from 'node:http';

/** The caller key of a request whose socket has no remote address, as after a disconnect. */
export const UNKNOWN_CALLER = 'unknown';

/**
 * Returns the key that the per-caller limits count a request under: the remote IP address.
 *
 * NOTE: behind a proxy or a NodePort Service with `externalTrafficPolicy: Cluster`, the remote
 * address is that of the proxy or node, so every client behind it shares one caller's limits.
 * Once requests are authenticated, the user name is the better key and belongs here.
 */
export function callerOf(request: IncomingMessage): string {
  return request.socket.remoteAddress ?? UNKNOWN_CALLER;
}
