/**
 * Binding a Node HTTP server to its address, shared by the query endpoint and the metrics
 * endpoint.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { Logger } from '../observability/logger.ts';

/**
 * Starts `server` listening on `host` and `port`, logs `<name> listening` with the bound port, and
 * resolves with that port, which differs from `port` when it was 0.
 *
 * @throws Error from Node when the address cannot be bound, such as `EADDRINUSE`.
 */
export function listenOn(
  server: Server,
  host: string,
  port: number,
  logger: Logger,
  name: string,
): Promise<{ port: number }> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const bound = (server.address() as AddressInfo).port;
      logger.info({ host, port: bound }, `${name} listening`);
      resolve({ port: bound });
    });
  });
}
