/**
 * Network faults between the operator and kube-apiserver, injected by a `TcpProxy` in front of
 * the shared control plane: a connection that stalls without a reset, a period in which every
 * connection is refused while objects change, and repeated disconnects.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { kubectlOk } from '../support/kubectl.ts';
import {
  apply,
  createNamespaces,
  installCrd,
  query,
  serviceMetadata,
} from '../support/fixtures.ts';
import {
  listFromApiServer,
  logRecords,
  maxOverlap,
  proxiedKubeconfig,
  watchIntervals,
  type WatchInterval,
} from '../support/faults.ts';
import { operatorMetric } from '../support/metrics.ts';
import { startOperator, waitUntilReady, type OperatorProcess } from '../support/operator.ts';
import { sharedControlPlane } from '../support/shared.ts';
import { TcpProxy } from '../support/tcp-proxy.ts';
import { waitFor } from '../support/wait.ts';

const plane = sharedControlPlane();
const NAMESPACE = 'faults-connection';
const INACTIVITY_TIMEOUT_SECONDS = 5;
const BACKOFF_INITIAL_MS = 250;
const BACKOFF_MAX_MS = 2000;
const CUTS = 10;
/** The user of the operator's kubeconfig, as the audit log records it. */
const OPERATOR_USER = 'metadata-operator';

let proxy: TcpProxy;
let operator: OperatorProcess;

/** Returns the operator's query result for the test namespace as `key uid tags` lines. */
async function indexedObjects(): Promise<string[]> {
  const response = await query(operator.url, `namespace=${NAMESPACE}&limit=5000`);
  return response.items.map(
    (item) => `${item.namespace}/${item.name} ${item.uid} ${item.tags.join(',')}`,
  );
}

/** Returns the API server's objects of the test namespace in the form of `indexedObjects`. */
async function storedObjects(): Promise<string[]> {
  const listed = await listFromApiServer(plane, NAMESPACE);
  return listed.map((item) => `${item.key} ${item.uid} ${[...item.tags].sort().join(',')}`);
}

/** Waits until the operator's index contains exactly what the API server stores. */
async function waitUntilConsistent(description: string): Promise<string[]> {
  const expected = await storedObjects();
  await waitFor(description, async () => {
    const actual = await indexedObjects();
    return JSON.stringify(actual) === JSON.stringify(expected);
  });
  return expected;
}

/** Returns the operator's `servicemetadatas` watches that overlap the time since `sinceMs`. */
async function operatorWatchesSince(sinceMs: number): Promise<WatchInterval[]> {
  const intervals = await watchIntervals(plane.auditLogPath, OPERATOR_USER, 'servicemetadatas');
  return intervals.filter((interval) => (interval.endMs ?? Number.POSITIVE_INFINITY) >= sinceMs);
}

/** Waits until a `servicemetadatas` watch that started after `sinceMs` is open. */
async function waitForWatchSince(sinceMs: number): Promise<void> {
  await waitFor('an open servicemetadatas watch', async () => {
    const watches = await operatorWatchesSince(sinceMs);
    return watches.some((watch) => watch.startMs >= sinceMs && watch.endMs === undefined);
  });
}

/** Returns the delays of the `servicemetadatas` watch retries logged since `sinceMs`, in order. */
async function watchRetryDelaysSince(sinceMs: number): Promise<number[]> {
  return (await logRecords(operator))
    .filter(
      (record) =>
        record.msg === 'restarting watch' &&
        record.resource === 'servicemetadatas' &&
        Date.parse(String(record.time)) >= sinceMs,
    )
    .map((record) => Number(record.delayMs));
}

describe('connection faults', () => {
  before(async () => {
    await installCrd(plane);
    await createNamespaces(plane, [NAMESPACE]);
    proxy = await TcpProxy.start(Number(new URL(plane.server).port));
    const kubeconfig = await proxiedKubeconfig(plane.operatorKubeconfig, proxy.port, plane.dir);
    operator = await startOperator(plane.dir, kubeconfig, {
      METADATA_LEADER_ELECTION: 'false',
      METADATA_WATCH_INACTIVITY_TIMEOUT_SECONDS: String(INACTIVITY_TIMEOUT_SECONDS),
      METADATA_BACKOFF_INITIAL_MS: String(BACKOFF_INITIAL_MS),
      METADATA_BACKOFF_MAX_MS: String(BACKOFF_MAX_MS),
    });
    await waitUntilReady(operator);
  });

  after(async () => {
    await operator?.stop();
    await proxy?.close();
    await kubectlOk(plane, ['delete', 'namespace', NAMESPACE, '--wait=false']);
  });

  it('reconnects after a silent stall', async (t) => {
    await apply(plane, [serviceMetadata(NAMESPACE, 'before-stall')]);
    await waitUntilConsistent('before-stall to be indexed');
    const restartsBefore = await operatorMetric(operator, 'metadata_watch_restarts_total');

    const stalledAt = performance.now();
    proxy.stall();
    try {
      await apply(plane, [serviceMetadata(NAMESPACE, 'during-stall')]);
      await waitUntilConsistent('during-stall to be indexed');
      t.diagnostic(
        `noticed the stall and caught up after ${((performance.now() - stalledAt) / 1000).toFixed(1)} s`,
      );
    } finally {
      proxy.resume();
    }

    assert.ok((await operatorMetric(operator, 'metadata_watch_restarts_total')) > restartsBefore);
    const timedOut = (await logRecords(operator)).filter(
      (record) =>
        record.msg === 'restarting watch' &&
        record.resource === 'servicemetadatas' &&
        String(record.detail).includes('timeout'),
    );
    assert.ok(timedOut.length >= 1, 'no watch restart after an inactivity timeout was logged');
  });

  it('reflects every change made while refused', async (t) => {
    await apply(plane, [
      serviceMetadata(NAMESPACE, 'changed', { tags: ['old'] }),
      serviceMetadata(NAMESPACE, 'deleted'),
      serviceMetadata(NAMESPACE, 'recreated', { tags: ['first-life'] }),
    ]);
    const before = await waitUntilConsistent('the objects before the outage');

    proxy.refuse();
    proxy.cut();
    try {
      await apply(plane, [
        serviceMetadata(NAMESPACE, 'created'),
        serviceMetadata(NAMESPACE, 'changed', { tags: ['new'] }),
      ]);
      await kubectlOk(plane, ['delete', 'smd', '-n', NAMESPACE, 'deleted', 'recreated']);
      await apply(plane, [serviceMetadata(NAMESPACE, 'recreated', { tags: ['second-life'] })]);
    } finally {
      proxy.resume();
    }

    const after = await waitUntilConsistent('the changes made during the outage');
    t.diagnostic(`objects before: ${before.length}, after: ${after.length}`);
    const indexed = await indexedObjects();
    assert.ok(indexed.some((line) => line.startsWith(`${NAMESPACE}/created `)));
    assert.ok(indexed.some((line) => line.endsWith(' new') && line.includes('/changed ')));
    assert.ok(!indexed.some((line) => line.startsWith(`${NAMESPACE}/deleted `)));
    assert.ok(indexed.some((line) => line.includes('/recreated ') && line.endsWith('second-life')));
    assert.deepEqual(await query(operator.url, 'tag=first-life').then((r) => r.items), []);
  });

  it('keeps one watch and backs off over repeated cuts', async (t) => {
    // The audit log distinguishes the operator's watches from other clients'. kube-apiserver's
    // apiserver_longrunning_requests gauge cannot, and the garbage collector of
    // kube-controller-manager watches every resource, servicemetadatas included.
    const startedMs = Date.now();
    let cutMs = 0;
    for (let cut = 0; cut < CUTS; cut += 1) {
      await waitForWatchSince(cutMs);
      cutMs = Date.now();
      proxy.cut();
    }
    await waitForWatchSince(cutMs);
    const watches = await operatorWatchesSince(startedMs);
    const maxOpen = maxOverlap(watches);
    t.diagnostic(`${watches.length} watches over ${CUTS} cuts, at most ${maxOpen} open at once`);
    assert.ok(watches.length > CUTS);
    assert.equal(maxOpen, 1);

    const firstAttempt = proxy.attemptTimesMs.length;
    const refusedMs = Date.now();
    // The proxy records attempts on the monotonic clock of performance.now().
    const refusedAt = performance.now();
    let resumedAt = refusedAt;
    let resumedMs: number | undefined;
    proxy.refuse();
    proxy.cut();
    try {
      // Six retries wait 250, 500, 1000 and 2000 ms, then the maximum again.
      await waitFor(
        'six logged watch retries of servicemetadatas',
        async () => (await watchRetryDelaysSince(refusedMs)).length >= 6,
        { timeoutMs: 30_000 },
      );
    } finally {
      resumedMs = Date.now();
      resumedAt = performance.now();
      proxy.resume();
    }

    const delays = (await watchRetryDelaysSince(refusedMs)).slice(0, 6);
    t.diagnostic(`servicemetadatas watch retry delays: ${delays.join(', ')} ms`);
    for (let index = 1; index < delays.length; index += 1) {
      const delay = delays[index] as number;
      const previous = delays[index - 1] as number;
      assert.equal(delay, Math.min(previous * 2, BACKOFF_MAX_MS), `delay ${index}`);
    }

    // Every reflector of the operator backs off on its own, so the proxy records their attempts
    // interleaved. Their rate must still fall: fewer attempts in the last two seconds of the
    // outage than in its first two.
    const attempts = proxy.attemptTimesMs.slice(firstAttempt);
    const early = attempts.filter((time) => time < refusedAt + 2000).length;
    const late = attempts.filter((time) => time >= resumedAt - 2000 && time < resumedAt).length;
    t.diagnostic(`connection attempts: ${early} in the first 2 s, ${late} in the last 2 s`);
    assert.ok(late < early, `${late} attempts in the last 2 s, ${early} in the first 2 s`);
    await waitForWatchSince(resumedMs ?? 0);
    await waitUntilConsistent('the index after the cuts');
  });
});
