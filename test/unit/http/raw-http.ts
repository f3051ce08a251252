/**
 * Raw HTTP/1.1 over a TCP socket, for tests that send what a well-behaved client never would:
 * malformed request lines, odd headers, unencoded bytes and partial requests.
 */
import { connect } from 'node:net';

/** One response as read from the socket. */
export interface RawResponse {
  /** The status code of the status line, or 0 when the server closed without a response. */
  readonly status: number;
  /** The header section, without the status line. */
  readonly head: string;
  readonly body: string;
}

/** Options of `sendRaw`. */
export interface RawOptions {
  /** The local address to connect from, such as `127.0.0.2`, so that the server counts another caller. */
  readonly localAddress?: string;
  /** Time after which the test fails because the server neither responded nor closed. */
  readonly deadlineMs?: number;
}

/**
 * Sends `request` to 127.0.0.1:`port` and returns everything that the server sends until it
 * closes the connection.
 *
 * @throws Error when the server has not closed the connection within the deadline (default 4 s).
 */
export async function sendRaw(
  port: number,
  request: string | Buffer,
  options: RawOptions = {},
): Promise<RawResponse> {
  const deadlineMs = options.deadlineMs ?? 4000;
  const socket = connect({
    port,
    host: '127.0.0.1',
    ...(options.localAddress === undefined ? {} : { localAddress: options.localAddress }),
  });
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`server neither answered nor closed within ${deadlineMs} ms`));
    }, deadlineMs);
    socket.on('connect', () => socket.write(request));
    // A reset after the response, as when the server closes with unread input, still ends it.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });

  return parseRawResponse(Buffer.concat(chunks).toString('latin1'));
}

/** Splits the first response in `raw` into status, head and body. */
export function parseRawResponse(raw: string): RawResponse {
  const match = /^HTTP\/1\.1 (\d{3}) [^\r\n]*\r\n/.exec(raw);
  if (match === null) {
    return { status: 0, head: '', body: raw };
  }

  const headEnd = raw.indexOf('\r\n\r\n');
  const head = raw.slice(match[0].length, headEnd === -1 ? raw.length : headEnd);
  const body = headEnd === -1 ? '' : raw.slice(headEnd + 4);
  return { status: Number(match[1]), head, body };
}

/** Builds a complete GET request for `target` that requests the server to close afterwards. */
export function rawGet(target: string, headers: readonly string[] = []): string {
  return [
    `GET ${target} HTTP/1.1`,
    'Host: 127.0.0.1',
    'Connection: close',
    ...headers,
    '',
    '',
  ].join('\r\n');
}
