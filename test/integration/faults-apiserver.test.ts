/**
 * Faults of kube-apiserver itself, on a control plane of this file's own: the operator's
 * resourceVersion compacted away in etcd, and an API server that stops and starts again.
 *
 * The API server runs with `--watch-cache=false`. Its watch cache would otherwise serve a watch
 * from its own recent history even after etcd compacted that history, and never return 410 Gone.
 */
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { ControlPlane } from '../support/control-plane.ts';
import { compactEtcd } from '../support/etcd.ts';
import { listFromApiServer, logRecords, proxiedKubeconfig } from '../support/faults.ts';
import {
  apply,
  createNamespaces,
  installCrd,
  query,
  serviceMetadata,
} from '../support/fixtures.ts';
import { kubectlOk } from '../support/kubectl.ts';
import { operatorMetric } from '../support/metrics.ts';
import { startOperator, waitUntilReady, type OperatorProcess } from '../support/operator.ts';
import { TcpProxy } from '../support/tcp-proxy.ts';
import { waitFor } from '../support/wait.ts';

const NAMESPACE = 'faults-apiserver';
const GONE_LABELS = ['resource="servicemetadatas"', 'reason="gone"'];
/** The staleness, in seconds, that shows the index stopped advancing during the outage. */
const STALE_OUTAGE_SECONDS = 3;
/** The pause between two samples of `/readyz` during the outage, in milliseconds. */
const READYZ_SAMPLE_MS = 100;

let plane: ControlPlane;
let proxy: TcpProxy;
let operator: OperatorProcess;

/** Waits until the operator's index contains exactly the objects that the API server stores. */
async function waitUntilConsistent(description: string): Promise<void> {
  const expected = (await listFromApiServer(plane, NAMESPACE)).map((item) => item.key);
  await waitFor(description, async () => {
    const response = await query(operator.url, `namespace=${NAMESPACE}&limit=5000`);
    const actual = response.items.map((item) => `${item.namespace}/${item.name}`);
    return JSON.stringify(actual) === JSON.stringify(expected);
  });
}

/** Returns the staleness header of a query, in seconds; throws unless the query succeeds. */
async function staleSeconds(): Promise<number> {
  const response = await fetch(`${operator.url}/v1/services?namespace=${NAMESPACE}`);
  assert.equal(response.status, 200);
  await response.arrayBuffer();
  return Number(response.headers.get('x-index-stale-seconds'));
}

/** Samples `/readyz` until `stop` resolves, and returns every status other than 200. */
async function sampleReadyz(stop: Promise<void>): Promise<number[]> {
  let stopped = false;
  void stop.then(() => {
    stopped = true;
  });
  const failures: number[] = [];
  while (!stopped) {
    const status = await fetch(`${operator.url}/readyz`).then(
      (response) => response.status,
      () => 0,
    );
    if (status !== 200) {
      failures.push(status);
    }
    await delay(READYZ_SAMPLE_MS);
  }
  return failures;
}

describe('kube-apiserver faults', () => {
  before(async () => {
    plane = await ControlPlane.start({ apiServerArgs: ['--watch-cache=false'] });
    await installCrd(plane);
    await createNamespaces(plane, [NAMESPACE]);
    proxy = await TcpProxy.start(plane.apiServerPort);
    const kubeconfig = await proxiedKubeconfig(plane.operatorKubeconfig, proxy.port, plane.dir);
    operator = await startOperator(plane.dir, kubeconfig, {
      METADATA_LEADER_ELECTION: 'false',
      METADATA_BACKOFF_INITIAL_MS: '100',
      METADATA_BACKOFF_MAX_MS: '1000',
    });
    await waitUntilReady(operator);
  });

  after(async () => {
    await operator?.stop();
    await proxy?.close();
    await plane?.stop();
  });

  it('relists once when its resourceVersion was compacted', async (t) => {
    await apply(plane, [serviceMetadata(NAMESPACE, 'compacted-away')]);
    await waitUntilConsistent('compacted-away to be indexed');
    const goneBefore = await operatorMetric(operator, 'metadata_relists_total', GONE_LABELS);

    proxy.refuse();
    proxy.cut();
    try {
      await apply(plane, [serviceMetadata(NAMESPACE, 'after-compaction')]);
      await kubectlOk(plane, ['delete', 'smd', '-n', NAMESPACE, 'compacted-away']);
      const revision = await compactEtcd(plane.etcdUrl);
      t.diagnostic(`compacted etcd at revision ${revision}`);
    } finally {
      proxy.resume();
    }

    await waitUntilConsistent('the changes hidden by the compaction');
    assert.equal(
      await operatorMetric(operator, 'metadata_relists_total', GONE_LABELS),
      goneBefore + 1,
    );

    // A watch from the relist's resourceVersion delivers the next change without another relist.
    await apply(plane, [serviceMetadata(NAMESPACE, 'watched-after-relist')]);
    await waitUntilConsistent('watched-after-relist to be indexed');
    const gone = await operatorMetric(operator, 'metadata_relists_total', GONE_LABELS);
    t.diagnostic(`relists after 410 Gone: ${gone - goneBefore}`);
    assert.equal(gone, goneBefore + 1);
    const relists = (await logRecords(operator)).filter(
      (record) =>
        record.msg === 'relisting' &&
        record.resource === 'servicemetadatas' &&
        record.reason === 'gone',
    );
    assert.equal(relists.length, 1);
  });

  it('serves the last state while kube-apiserver restarts', async (t) => {
    await apply(plane, [serviceMetadata(NAMESPACE, 'before-restart')]);
    await waitUntilConsistent('before-restart to be indexed');
    const served = await query(operator.url, `namespace=${NAMESPACE}`);

    let stopSampling = (): void => undefined;
    const sampling = sampleReadyz(
      new Promise((resolve) => {
        stopSampling = resolve;
      }),
    );
    try {
      await plane.stopApiServer();
      const stale = await waitFor('the staleness to rise during the outage', async () => {
        const seconds = await staleSeconds();
        return seconds >= STALE_OUTAGE_SECONDS ? seconds : undefined;
      });
      t.diagnostic(`X-Index-Stale-Seconds during the outage: ${stale}`);
      assert.ok(
        (await operatorMetric(operator, 'metadata_index_stale_seconds')) >= STALE_OUTAGE_SECONDS,
      );
      assert.deepEqual(await query(operator.url, `namespace=${NAMESPACE}`), served);

      const restartedAt = performance.now();
      await plane.startApiServer();
      await apply(plane, [serviceMetadata(NAMESPACE, 'after-restart')]);
      await waitUntilConsistent('after-restart to be indexed');
      const seconds = ((performance.now() - restartedAt) / 1000).toFixed(1);
      t.diagnostic(`caught up ${seconds} s after kube-apiserver started`);
    } finally {
      stopSampling();
    }

    assert.deepEqual(await sampling, []);
    assert.ok((await staleSeconds()) < STALE_OUTAGE_SECONDS);
  });
});
