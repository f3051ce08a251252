/**
 * Steps shared by the fault tests: a kubeconfig that reaches kube-apiserver through a `TcpProxy`,
 * the operator's JSON log records, the API server's copy of a namespace's objects, a bounded
 * pool for concurrent requests, and a fast API client.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { Agent, request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import type { ControlPlaneInfo } from './control-plane.ts';
import { kubectlOk } from './kubectl.ts';
import type { OperatorProcess } from './operator.ts';

/** The parts of a kubeconfig that `proxiedKubeconfig` rewrites. */
interface KubeconfigFile {
  clusters: { cluster: { server: string } }[];
}

/**
 * Writes a copy of the kubeconfig `source` whose server is `https://127.0.0.1:<proxyPort>`, and
 * returns its path. The API server's certificate is issued for 127.0.0.1, so TLS verification
 * passes through the proxy unchanged.
 */
export async function proxiedKubeconfig(
  source: string,
  proxyPort: number,
  dir: string,
): Promise<string> {
  const config = JSON.parse(await readFile(source, 'utf8')) as KubeconfigFile;
  for (const entry of config.clusters) {
    entry.cluster.server = `https://127.0.0.1:${proxyPort}`;
  }
  const path = join(dir, `proxied-${proxyPort}.kubeconfig`);
  await writeFile(path, JSON.stringify(config, null, 2), { mode: 0o600 });
  return path;
}

/** One JSON log record of the operator. */
export interface LogRecord {
  readonly level: number;
  readonly msg: string;
  readonly [field: string]: unknown;
}

/** Returns the operator's log records so far; lines that are not JSON are skipped. */
export async function logRecords(operator: OperatorProcess): Promise<LogRecord[]> {
  const records: LogRecord[] = [];
  for (const line of (await operator.logs()).split('\n')) {
    if (!line.startsWith('{')) {
      continue;
    }
    try {
      records.push(JSON.parse(line) as LogRecord);
    } catch {
      // A line cut off by a process that was killed mid-write is no record.
    }
  }
  return records;
}

/** An object as the API server lists it, reduced to what tests compare. */
export interface ListedObject {
  readonly key: string;
  readonly uid: string;
  readonly tags: readonly string[];
}

/** Returns the `ServiceMetadata` objects of a namespace as the API server lists them, by key. */
export async function listFromApiServer(
  plane: ControlPlaneInfo,
  namespace: string,
): Promise<ListedObject[]> {
  const output = await kubectlOk(plane, ['get', 'smd', '-n', namespace, '-o', 'json']);
  const list = JSON.parse(output) as {
    items: { metadata: { name: string; uid: string }; spec: { tags?: string[] } }[];
  };
  return list.items
    .map((item) => ({
      key: `${namespace}/${item.metadata.name}`,
      uid: item.metadata.uid,
      tags: item.spec.tags ?? [],
    }))
    .sort((a, b) => a.key.localeCompare(b.key));
}

/** Runs `task` for every index from 0 to `count - 1`, with at most `concurrency` at once. */
export async function runPool(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const index = next;
      next += 1;
      await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

/** The parts of a kubeconfig that `ApiClient` reads. */
interface ClientKubeconfig {
  clusters: { cluster: { server: string; 'certificate-authority-data': string } }[];
  users: { user: { token: string } }[];
}

/** The status code and parsed JSON body of one API request. */
export interface ApiResponse {
  readonly status: number;
  readonly body: unknown;
}

/**
 * A minimal client of kube-apiserver for tests that need many requests quickly, which kubectl,
 * one process per request, cannot send. It reads the server, CA and token of a test kubeconfig.
 */
export class ApiClient {
  private readonly server: URL;
  private readonly agent: Agent;
  private readonly token: string;

  private constructor(config: ClientKubeconfig) {
    const cluster = config.clusters[0]?.cluster;
    const user = config.users[0]?.user;
    if (cluster === undefined || user === undefined) {
      throw new Error('the kubeconfig has no cluster or no user');
    }
    this.server = new URL(cluster.server);
    this.token = user.token;
    const ca = Buffer.from(cluster['certificate-authority-data'], 'base64');
    this.agent = new Agent({ ca, keepAlive: true, maxSockets: 64 });
  }

  /** Returns a client for the kubeconfig file at `path`. */
  static async fromKubeconfig(path: string): Promise<ApiClient> {
    return new ApiClient(JSON.parse(await readFile(path, 'utf8')) as ClientKubeconfig);
  }

  /** Sends a request with a JSON body (a merge patch for PATCH) and returns status and body. */
  request(method: string, path: string, body?: object): Promise<ApiResponse> {
    const contentType = method === 'PATCH' ? 'application/merge-patch+json' : 'application/json';
    return new Promise((resolve, reject) => {
      const req = httpsRequest(new URL(path, this.server), {
        method,
        agent: this.agent,
        headers: { authorization: `Bearer ${this.token}`, 'content-type': contentType },
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          resolve({
            status: res.statusCode ?? 0,
            body: text === '' ? undefined : JSON.parse(text),
          });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  }

  /** Closes the pooled connections. */
  close(): void {
    this.agent.destroy();
  }
}

/** One watch request as the audit log records it, in milliseconds since the epoch. */
export interface WatchInterval {
  readonly auditID: string;
  readonly startMs: number;
  /** When the response completed; undefined while the watch is open. */
  readonly endMs?: number;
}

/** The audit event fields that `watchIntervals` reads. */
interface RawAuditEvent {
  auditID: string;
  stage: string;
  verb: string;
  user: { username: string };
  objectRef?: { resource?: string };
  requestReceivedTimestamp: string;
  stageTimestamp: string;
}

/**
 * Returns the watch requests of `username` on `resource` from the audit log, in the order they
 * were received. A watch has a `ResponseStarted` event when its response began and a
 * `ResponseComplete` event when it ended.
 */
export async function watchIntervals(
  auditLogPath: string,
  username: string,
  resource: string,
): Promise<WatchInterval[]> {
  const byId = new Map<string, { startMs: number; endMs?: number }>();
  for (const line of (await readFile(auditLogPath, 'utf8')).split('\n')) {
    if (!line.includes('"watch"')) {
      continue;
    }
    const event = JSON.parse(line) as RawAuditEvent;
    if (
      event.verb !== 'watch' ||
      event.user.username !== username ||
      event.objectRef?.resource !== resource
    ) {
      continue;
    }
    const entry = byId.get(event.auditID) ?? {
      startMs: Date.parse(event.requestReceivedTimestamp),
    };
    if (event.stage === 'ResponseComplete') {
      entry.endMs = Date.parse(event.stageTimestamp);
    }
    byId.set(event.auditID, entry);
  }
  return [...byId]
    .map(([auditID, entry]) => ({ auditID, ...entry }))
    .sort((a, b) => a.startMs - b.startMs);
}

/** Returns the largest number of intervals open at one moment, counting open ones as endless. */
export function maxOverlap(intervals: readonly WatchInterval[]): number {
  const edges: [number, number][] = [];
  for (const interval of intervals) {
    edges.push([interval.startMs, 1]);
    edges.push([interval.endMs ?? Number.POSITIVE_INFINITY, -1]);
  }
  // At equal times an end sorts before a start, so a watch that replaced another at the same
  // millisecond does not count as overlapping it.
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let max = 0;
  for (const [, change] of edges) {
    open += change;
    max = Math.max(max, open);
  }
  return max;
}
