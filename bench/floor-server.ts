/**
 * The floor of the HTTP benchmark: a bare Node HTTP server that responds to every request with the
 * same small JSON body, in a process of its own like the operator. It prints its port on stdout.
 *
 * Usage: node bench/floor-server.ts
 */
import { createServer } from 'node:http';

const BODY = JSON.stringify({ resourceVersion: '1', total: 0, items: [] });

const server = createServer((_request, response) => {
  response.statusCode = 200;
  response.setHeader('Content-Type', 'application/json');
  response.setHeader('Content-Length', Buffer.byteLength(BODY));
  response.end(BODY);
});

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = address !== null && typeof address === 'object' ? address.port : 0;
  process.stdout.write(`${port}\n`);
});

process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
});
