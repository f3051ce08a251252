/**
 * Starts the operator for the benchmark, the way it runs in a Pod, and times its initial sync:
 * from the spawn of the process to the first 200 of `/readyz`.
 */
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

import {
  freePort,
  startProcess,
  stopProcess,
  type ManagedProcess,
} from '../test/support/processes.ts';
import type { ApiClient } from './api-client.ts';
import { nowMs } from './stats.ts';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

/** How often `/readyz` is polled while the operator syncs, in milliseconds. */
const READY_POLL_MS = 5;
const READY_TIMEOUT_MS = 600_000;

/** A running operator and how long it took to report ready. */
export interface BenchOperator {
  readonly url: string;
  /** The base URL of the metrics endpoint, which serves `/metrics`. */
  readonly metricsUrl: string;
  readonly process: ManagedProcess;
  /** Time from the spawn to the first 200 of `/readyz`, in milliseconds. */
  readonly readyMs: number;
  stop(): Promise<void>;
}

/**
 * Settings that the benchmark gives every operator: logs at `warn`, no write limit that a
 * benchmark step could run into, and no token checks, which would measure the API server's
 * TokenReview instead of the query path. Leader election stays on, and the benchmark holds the Lease (see
 * `holdLease`), so an operator is a follower that indexes and serves queries but writes no status,
 * unless a step turns leader election off.
 */
const BENCH_ENV: Readonly<Record<string, string>> = {
  METADATA_LOG_LEVEL: 'warn',
  METADATA_AUTH: 'none',
  METADATA_WRITE_QPS: '10000',
  METADATA_WRITE_BURST: '100000',
};

/**
 * Starts the operator against `kubeconfig` and waits until `/readyz` returns 200.
 *
 * @throws Error when the process exits or does not become ready in 10 minutes.
 */
export async function startBenchOperator(
  dir: string,
  kubeconfig: string,
  env: Readonly<Record<string, string>> = {},
): Promise<BenchOperator> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const metricsPort = await freePort();
  const start = nowMs();
  const managed = startProcess(
    'metadata-operator',
    process.execPath,
    [MAIN],
    join(dir, `operator-${port}.log`),
    {
      ...process.env,
      ...BENCH_ENV,
      METADATA_KUBECONFIG: kubeconfig,
      METADATA_HTTP_HOST: '127.0.0.1',
      METADATA_HTTP_PORT: String(port),
      METADATA_METRICS_HOST: '127.0.0.1',
      METADATA_METRICS_PORT: String(metricsPort),
      ...env,
    },
  );

  try {
    await waitUntilReady(managed, url, start);
  } catch (error) {
    await stopProcess(managed);
    throw error;
  }

  return {
    url,
    metricsUrl: `http://127.0.0.1:${metricsPort}`,
    process: managed,
    readyMs: nowMs() - start,
    stop: () => stopProcess(managed),
  };
}

async function waitUntilReady(managed: ManagedProcess, url: string, start: number): Promise<void> {
  for (;;) {
    if (managed.child.exitCode !== null) {
      throw new Error(
        `the operator exited with code ${managed.child.exitCode}; see ${managed.logPath}`,
      );
    }

    const status = await fetch(`${url}/readyz`).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) {
      return;
    }

    if (nowMs() - start > READY_TIMEOUT_MS) {
      throw new Error(`the operator did not report ready within ${READY_TIMEOUT_MS} ms`);
    }

    await delay(READY_POLL_MS);
  }
}

/**
 * Creates the operator's Lease (`metadata-operator` in `default`, its defaults) for another holder
 * for an hour, so that every operator started with leader election stays a follower.
 */
export async function holdLease(client: ApiClient): Promise<void> {
  const now = new Date().toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
  await client.sendOk('POST', '/apis/coordination.k8s.io/v1/namespaces/default/leases', {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: 'metadata-operator', namespace: 'default' },
    spec: {
      holderIdentity: 'benchmark-placeholder',
      leaseDurationSeconds: 3600,
      acquireTime: now,
      renewTime: now,
    },
  });
}

/** Returns the value of counter `metadata_reconcile_total{result="written"}`, or 0. */
export async function statusWrites(metricsUrl: string): Promise<number> {
  const text = await (await fetch(`${metricsUrl}/metrics`)).text();
  const match = /^metadata_reconcile_total\{result="written"\} (\d+)/m.exec(text);
  return match === null ? 0 : Number(match[1]);
}

/** Returns the value of gauge `metadata_objects{state="indexed"}`, or 0. */
export async function indexedObjects(metricsUrl: string): Promise<number> {
  const text = await (await fetch(`${metricsUrl}/metrics`)).text();
  const match = /^metadata_objects\{state="indexed"\} (\d+)/m.exec(text);
  return match === null ? 0 : Number(match[1]);
}
