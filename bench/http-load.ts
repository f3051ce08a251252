/**
 * HTTP load with autocannon at a fixed number of connections for a fixed time. Latencies are taken
 * from autocannon's `response` events at sub-millisecond resolution, because its own histogram
 * records whole milliseconds.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

import autocannon from 'autocannon';

import { onShutdown } from './shutdown.ts';
import { summarize, type LatencySummary } from './stats.ts';

/** The outcome of one load run. */
export interface HttpLoadResult {
  readonly target: string;
  readonly latency: LatencySummary;
  readonly requestsPerSecond: number;
  readonly non2xx: number;
  readonly errors: number;
  /** Mean size of a response with its headers, in bytes, as autocannon counts it. */
  readonly meanBodyBytes: number;
}

/** Options of one load run. */
export interface HttpLoadOptions {
  readonly connections: number;
  readonly durationSeconds: number;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * Sends GET requests to `url` and summarizes them.
 *
 * @throws Error when any response is not 2xx or a connection fails, so no run counts errors as
 *   fast responses.
 */
export async function loadUrl(
  target: string,
  url: string,
  options: HttpLoadOptions,
): Promise<HttpLoadResult> {
  const samples: number[] = [];
  let bodyBytes = 0;
  let instance: autocannon.Instance | undefined;
  const finished = new Promise<autocannon.Result>((resolve, reject) => {
    const settings = {
      url,
      connections: options.connections,
      duration: options.durationSeconds,
      headers: { ...options.headers },
    };
    instance = autocannon(settings, (error: unknown, result: autocannon.Result) => {
      if (error !== null && error !== undefined) {
        reject(error instanceof Error ? error : new Error('autocannon failed', { cause: error }));
        return;
      }

      resolve(result);
    });
  });
  instance?.on('response', (_client, statusCode, responseBytes, responseTimeMs) => {
    if (statusCode >= 200 && statusCode < 300) {
      samples.push(responseTimeMs);
      bodyBytes += responseBytes;
    }
  });

  const result = await finished;
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(
      `${target}: ${result.non2xx} responses were not 2xx and ${result.errors} requests failed`,
    );
  }

  return {
    target,
    latency: summarize(samples),
    requestsPerSecond: samples.length / options.durationSeconds,
    non2xx: result.non2xx,
    errors: result.errors,
    meanBodyBytes: samples.length === 0 ? 0 : bodyBytes / samples.length,
  };
}

/** A running floor server. */
export interface FloorServer {
  readonly url: string;
  stop(): Promise<void>;
}

/** Starts `floor-server.ts` in a child process and returns its URL once it listens. */
export async function startFloorServer(): Promise<FloorServer> {
  const script = fileURLToPath(new URL('./floor-server.ts', import.meta.url));
  const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
  const port = Number(chunk.toString().trim());
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  };
  const unregister = onShutdown(stop);
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      unregister();
      await stop();
    },
  };
}
