/**
 * `make soak`: an hour of create, update and delete churn against a real control plane, with
 * kube-apiserver restarted every few minutes so that every watch reconnects. It prints the heap
 * (after a forced garbage collection) and the index's size once a minute. When the churn stops,
 * every name is restored to one object, and heap and index size must come back to within a
 * tolerance of the baseline taken before the churn; the exit code is 1 when they do not.
 *
 * Settings, from environment variables: SOAK_MINUTES (60), SOAK_OBJECTS (2000),
 * SOAK_NAMESPACES (10), SOAK_RATE (operations per second, 20), SOAK_RECONNECT_MINUTES (5),
 * SOAK_SAMPLE_SECONDS (60), SOAK_TOLERANCE (0.10).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { ControlPlane } from '../test/support/control-plane.ts';
import { createNamespaces, installCrd, ROOT } from '../test/support/fixtures.ts';
import { waitFor } from '../test/support/wait.ts';
import { Churn } from './churn.ts';
import { startSoakOperator, type Sample, type SoakOperator } from './operator.ts';
import { printSample, printVerdict, verdict } from './report.ts';
import { queryLoad, warmUp } from './queries.ts';

function setting(name: string, fallback: number): number {
  const text = process.env[name];
  const value = text === undefined || text === '' ? fallback : Number(text);
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(`${name}=${String(text)}: must be a positive number`);
  }
  return value;
}

const minutes = setting('SOAK_MINUTES', 60);
const objects = Math.round(setting('SOAK_OBJECTS', 2000));
const namespaces = Math.round(setting('SOAK_NAMESPACES', 10));
const rate = setting('SOAK_RATE', 20);
const reconnectMs = setting('SOAK_RECONNECT_MINUTES', 5) * 60_000;
const sampleMs = setting('SOAK_SAMPLE_SECONDS', 60) * 1000;
const tolerance = setting('SOAK_TOLERANCE', 0.1);
const started = Date.now();
const elapsed = (): number => (Date.now() - started) / 1000;

/** Restores every name and waits until the index and the status queue have caught up. */
async function settle(churn: Churn, operator: SoakOperator): Promise<void> {
  await churn.restoreAll(16);
  await waitFor(
    'the index to hold every object',
    () => operator.caughtUp(churn.population, churn.counts.lastResourceVersion),
    { timeoutMs: 600_000, intervalMs: 500 },
  );
  await waitFor('the status queue to drain', async () => (await operator.queueDepth()) === 0, {
    timeoutMs: 600_000,
    intervalMs: 500,
  });
  await warmUp(operator.baseUrl);
}

/** Sends churn at `rate` operations per second until `deadline`, 8 requests at most in flight. */
async function churnUntil(churn: Churn, deadline: number): Promise<void> {
  const inFlight = new Set<Promise<void>>();
  const pause = 1000 / rate;
  while (Date.now() < deadline) {
    const step = churn.step().finally(() => inFlight.delete(step));
    inFlight.add(step);
    if (inFlight.size >= 8) {
      await Promise.race(inFlight);
    }
    await delay(pause);
  }
  await Promise.all(inFlight);
}

/** Restarts kube-apiserver every `reconnectMs` until `deadline`, forcing every watch to reconnect. */
async function reconnectUntil(plane: ControlPlane, deadline: number): Promise<number> {
  let restarts = 0;
  while (Date.now() + reconnectMs < deadline) {
    await delay(reconnectMs);
    await plane.restartApiServer();
    restarts += 1;
  }
  return restarts;
}

async function sampleUntil(operator: SoakOperator, deadline: number, samples: Sample[]) {
  while (Date.now() < deadline) {
    await delay(Math.min(sampleMs, Math.max(0, deadline - Date.now())));
    const reading = await operator.sample(elapsed());
    samples.push(reading);
    printSample(reading);
  }
}

async function main(): Promise<void> {
  const plane = await ControlPlane.start();
  let operator: SoakOperator | undefined;
  try {
    await installCrd(plane);
    const churn = new Churn(plane.adminKubeconfig, objects, namespaces);
    await createNamespaces(plane, churn.namespaces);
    operator = await startSoakOperator(plane.operatorKubeconfig);
    process.stdout.write(`soak: ${objects} objects, ${minutes} min, ${rate} ops/s\n`);

    await settle(churn, operator);
    const baseline = await operator.sample(elapsed());
    printSample(baseline, 'baseline');

    const deadline = Date.now() + minutes * 60_000;
    const samples: Sample[] = [];
    const [, reconnects] = await Promise.all([
      churnUntil(churn, deadline),
      reconnectUntil(plane, deadline),
      sampleUntil(operator, deadline, samples),
      queryLoad(operator.baseUrl, deadline),
    ]);

    await settle(churn, operator);
    const final = await operator.sample(elapsed());
    printSample(final, 'final');
    const result = verdict(baseline, final, tolerance);
    printVerdict(result, churn.counts, reconnects);

    await mkdir(`${ROOT}soak/results`, { recursive: true });
    const file = `${ROOT}soak/results/soak-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
    const settings = { minutes, objects, namespaces, rate, reconnectMs, tolerance };
    const report = { settings, baseline, samples, final, result, churn: churn.counts, reconnects };
    await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`written to ${file}\n`);
    process.exitCode = result.passed ? 0 : 1;
  } finally {
    await operator?.stop();
    await plane.stop();
  }
}

await main();
