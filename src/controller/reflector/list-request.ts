/**
 * One list page of a custom resource, read over a keep-alive connection and parsed with
 * `JSON.parse` alone.
 *
 * The generated `CustomObjectsApi` of @kubernetes/client-node 2.0.1 is slow for large lists in two
 * ways. Its kubeconfig authentication builds a new undici `Agent` for every request, so every
 * list page opens a new TLS connection. It also runs `ObjectSerializer.parse` over each page after
 * `JSON.parse`, which walks every object once more, although a custom object comes back unchanged.
 * Here the kubeconfig still supplies the credentials of every request (`applyToHTTPSOptions`,
 * which refreshes an expiring token), but one keep-alive agent per `ListRequester` carries them.
 * The request sends no `Accept-Encoding`, so the API server returns the pages uncompressed.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest, type RequestOptions } from 'node:https';
import { ApiException, type KubeConfig } from '@kubernetes/client-node';

/** The fields of a list response that the reflector reads. */
export interface ListResponse {
  items?: unknown[];
  metadata?: { continue?: string; resourceVersion?: string };
}

/** TLS fields that `applyToHTTPSOptions` sets and that the connection agent must carry. */
const TLS_FIELDS = [
  'ca',
  'cert',
  'key',
  'pfx',
  'passphrase',
  'rejectUnauthorized',
  'servername',
] as const;

/** Sends list requests of one kubeconfig's cluster and user over one keep-alive agent. */
export class ListRequester {
  private readonly kubeConfig: KubeConfig;
  private agent?: HttpAgent;

  constructor(kubeConfig: KubeConfig) {
    this.kubeConfig = kubeConfig;
  }

  /**
   * Requests `path` (with its query string) from the current cluster and parses the body.
   *
   * @throws ApiException with the body as text for a status other than 200, as the generated API
   *   clients throw it. Rejects with the connection's error when no response arrived.
   */
  async list(path: string): Promise<ListResponse> {
    const cluster = this.kubeConfig.getCurrentCluster();
    if (cluster === null) {
      throw new Error('the kubeconfig has no current cluster');
    }

    const options: RequestOptions = { method: 'GET', headers: { accept: 'application/json' } };
    await this.kubeConfig.applyToHTTPSOptions(options);
    const secure = cluster.server.startsWith('https:');
    // A proxy needs the agent that client-node built for it, which this requester cannot copy.
    if (cluster.proxyUrl === undefined) {
      options.agent = this.agentFor(secure, options);
    }

    const url = `${cluster.server}${path}`;
    const response = await send(secure, url, options);
    const text = await readBody(response);
    if (response.statusCode !== 200) {
      const code = response.statusCode ?? 0;
      const message = `list ${path} failed with HTTP status ${code}`;
      throw new ApiException(code, message, text, headersOf(response));
    }

    return JSON.parse(text) as ListResponse;
  }

  /** Closes the idle connections of the agent. */
  close(): void {
    this.agent?.destroy();
    this.agent = undefined;
  }

  private agentFor(secure: boolean, options: RequestOptions): HttpAgent {
    if (this.agent !== undefined) {
      return this.agent;
    }

    // NOTE: the TLS material is read once, so a client certificate rotated in the kubeconfig file
    // reaches list requests only after the process restarts. Bearer tokens are read per request.
    const tls: Record<string, unknown> = {};
    for (const field of TLS_FIELDS) {
      if (options[field] !== undefined) {
        tls[field] = options[field];
      }
    }

    this.agent = secure
      ? new HttpsAgent({ ...tls, keepAlive: true, maxSockets: 1 })
      : new HttpAgent({ keepAlive: true, maxSockets: 1 });
    return this.agent;
  }
}

function send(secure: boolean, url: string, options: RequestOptions): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const outgoing = secure ? httpsRequest(url, options) : httpRequest(url, options);
    outgoing.on('response', resolve);
    outgoing.on('error', reject);
    outgoing.end();
  });
}

function readBody(response: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.on('end', () => {
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    response.on('error', reject);
  });
}

function headersOf(response: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (value !== undefined) {
      headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
  }
  return headers;
}
