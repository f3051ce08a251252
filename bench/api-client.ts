/**
 * A small HTTPS client of the benchmark's kube-apiserver: keep-alive connections, the
 * administrator's bearer token and the server's own certificate, and bodies read in full. It uses
 * Node's `https` directly, so its overhead stays below that of any client library.
 */
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';

/** A response with its body read in full. */
export interface ApiResponse {
  readonly status: number;
  readonly body: string;
}

/** The collection path of `ServiceMetadata` objects, in one namespace or in all. */
export function servicemetadatasPath(namespace?: string): string {
  const base = '/apis/mesh.datapunk.io/v1alpha1';
  return namespace === undefined
    ? `${base}/servicemetadatas`
    : `${base}/namespaces/${namespace}/servicemetadatas`;
}

/** A client of one kube-apiserver as one user. */
export class ApiClient {
  readonly server: string;
  readonly token: string;
  readonly ca: Buffer;
  readonly #agent: Agent;

  constructor(server: string, token: string, caPath: string, maxSockets = 64) {
    this.server = server;
    this.token = token;
    this.ca = readFileSync(caPath);
    this.#agent = new Agent({ keepAlive: true, maxSockets, ca: this.ca });
  }

  /** Sends a request and reads the whole body. Rejects only on a connection failure. */
  send(method: string, path: string, body?: unknown, contentType?: string): Promise<ApiResponse> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}` };
    if (payload !== undefined) {
      headers['content-type'] = contentType ?? 'application/json';
    }

    return new Promise((resolve, reject) => {
      const outgoing = request(`${this.server}${path}`, { method, headers, agent: this.#agent });
      outgoing.on('response', (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', () => {
          resolve({ status: incoming.statusCode ?? 0, body: Buffer.concat(chunks).toString() });
        });
        incoming.on('error', reject);
      });
      outgoing.on('error', reject);
      outgoing.end(payload);
    });
  }

  /**
   * Sends a request and returns the body when the status is 2xx.
   *
   * @throws Error with the method, path, status and body otherwise.
   */
  async sendOk(
    method: string,
    path: string,
    body?: unknown,
    contentType?: string,
  ): Promise<string> {
    const response = await this.send(method, path, body, contentType);
    if (response.status < 200 || response.status > 299) {
      const detail = response.body.slice(0, 500);
      throw new Error(`${method} ${path} failed with status ${response.status}: ${detail}`);
    }

    return response.body;
  }

  /** Opens a request whose response the caller reads as a stream, such as a watch. */
  open(path: string): ReturnType<typeof request> {
    return request(`${this.server}${path}`, {
      headers: { authorization: `Bearer ${this.token}` },
      agent: new Agent({ ca: this.ca }),
    });
  }

  /** Closes the idle keep-alive connections. */
  close(): void {
    this.#agent.destroy();
  }
}

/**
 * Runs `task` for every item with at most `concurrency` in flight, and resolves once all are done.
 *
 * @throws the first error of a task, after the tasks in flight finished.
 */
export async function runPool<T>(
  items: readonly T[],
  concurrency: number,
  task: (item: T, position: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const position = next;
      next += 1;
      await task(items[position] as T, position);
    }
  };

  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}
