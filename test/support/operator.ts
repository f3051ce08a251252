/**
 * Runs the operator as a child process, the way it runs in a Pod, so that tests can stop it with
 * SIGTERM, freeze it with SIGSTOP and restart it.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startProcess, stopProcess, type ManagedProcess } from './processes.ts';
import { waitFor } from './wait.ts';
import { sumSamples } from './metrics.ts';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

/** A running operator process. */
export interface OperatorProcess {
  readonly process: ManagedProcess;
  /** Base URL of the query endpoint, such as `http://127.0.0.1:40123`. */
  readonly url: string;
  readonly port: number;
  /** Base URL of the metrics endpoint, whose only path is `/metrics`. */
  readonly metricsUrl: string;
  /** Stops the process with SIGTERM and resolves once it exited. */
  stop(): Promise<void>;
  /** Returns everything the process logged so far. */
  logs(): Promise<string>;
}

/**
 * Starts the operator against a kubeconfig with the given extra environment variables, in the
 * folder `dir` (for its log), and waits until its endpoint accepts connections. The endpoint runs
 * with `METADATA_AUTH=none` unless `env` sets `METADATA_AUTH=kubernetes`.
 */
export async function startOperator(
  dir: string,
  kubeconfig: string,
  env: Record<string, string> = {},
): Promise<OperatorProcess> {
  const port = await freePort();
  const metricsPort = await freePort();
  const logPath = join(dir, `operator-${port}.log`);
  const managed = startProcess('metadata-operator', process.execPath, [MAIN], logPath, {
    ...process.env,
    METADATA_KUBECONFIG: kubeconfig,
    METADATA_HTTP_HOST: '127.0.0.1',
    METADATA_HTTP_PORT: String(port),
    METADATA_METRICS_HOST: '127.0.0.1',
    METADATA_METRICS_PORT: String(metricsPort),
    METADATA_LOG_LEVEL: 'debug',
    METADATA_AUTH: 'none',
    ...env,
  });
  const url = `http://127.0.0.1:${port}`;
  const operator: OperatorProcess = {
    process: managed,
    url,
    port,
    metricsUrl: `http://127.0.0.1:${metricsPort}`,
    stop: () => stopProcess(managed),
    logs: () => readFile(logPath, 'utf8'),
  };

  await waitFor('the operator endpoint to accept connections', async () => {
    if (managed.child.exitCode !== null) {
      throw new Error(
        `the operator exited with code ${managed.child.exitCode}: ${await operator.logs()}`,
      );
    }
    return fetch(`${url}/healthz`).then((response) => response.ok);
  });
  return operator;
}

/** Waits until the operator reports ready on `/readyz`. */
export async function waitUntilReady(operator: OperatorProcess, timeoutMs = 60_000): Promise<void> {
  await waitFor(
    'the operator to report ready',
    async () => (await fetch(`${operator.url}/readyz`)).status === 200,
    { timeoutMs },
  );
}

/** Returns the operator's metrics in the Prometheus text format, read from its metrics endpoint. */
export async function scrapeMetrics(operator: OperatorProcess): Promise<string> {
  const response = await fetch(`${operator.metricsUrl}/metrics`);
  if (!response.ok) {
    throw new Error(`scraping ${operator.metricsUrl}/metrics returned ${response.status}`);
  }
  return response.text();
}

/**
 * Returns the sum of the samples of the metric `name` whose label text contains `labels`, such as
 * `result="error"`; an empty `labels` sums every sample.
 */
export async function metricValue(
  operator: OperatorProcess,
  name: string,
  labels = '',
): Promise<number> {
  return sumSamples(await scrapeMetrics(operator), name, labels === '' ? [] : [labels]);
}
