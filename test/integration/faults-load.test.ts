/**
 * A burst of creates, on a control plane of this file's own so that its objects do not slow down
 * the other files: every object is indexed and gets its status, and the work queue drains.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ControlPlane } from '../support/control-plane.ts';
import { ApiClient, runPool } from '../support/faults.ts';
import {
  createNamespaces,
  installCrd,
  query,
  serviceMetadata,
  type StoredServiceMetadata,
} from '../support/fixtures.ts';
import { operatorMetric } from '../support/metrics.ts';
import { startOperator, waitUntilReady, type OperatorProcess } from '../support/operator.ts';
import { waitFor } from '../support/wait.ts';

const NAMESPACE = 'faults-load';
const OBJECTS = 5000;
const IN_FLIGHT = 32;
/** How long each phase may take on a 2-core machine shared with other work. */
const PHASE_TIMEOUT_MS = 240_000;
const COLLECTION = `/apis/mesh.datapunk.io/v1alpha1/namespaces/${NAMESPACE}/servicemetadatas`;

let plane: ControlPlane;
let operator: OperatorProcess;
let client: ApiClient;

/** Returns the seconds since `start`, a `performance.now()` value, with one decimal. */
function secondsSince(start: number): string {
  return ((performance.now() - start) / 1000).toFixed(1);
}

/** Lists every object of the namespace in pages and returns those without a current status. */
async function objectsWithoutCurrentStatus(): Promise<string[]> {
  const missing: string[] = [];
  let token = '';
  do {
    const path = `${COLLECTION}?limit=500${token === '' ? '' : `&continue=${token}`}`;
    const response = await client.request('GET', path);
    assert.equal(response.status, 200);
    const page = response.body as {
      items: StoredServiceMetadata[];
      metadata: { continue?: string };
    };
    for (const item of page.items) {
      const ready = item.status?.conditions?.find((entry) => entry.type === 'Ready') as
        { observedGeneration?: number } | undefined;
      const generation = item.metadata.generation;
      if (
        item.status?.observedGeneration !== generation ||
        ready?.observedGeneration !== generation
      ) {
        missing.push(item.metadata.name);
      }
    }
    token = encodeURIComponent(page.metadata.continue ?? '');
  } while (token !== '');
  return missing;
}

describe('burst of creates', () => {
  before(async () => {
    // Nothing here reads the audit log, whose blocking writes for some 15,000 requests slow the
    // API server. An empty path turns the log backend off.
    plane = await ControlPlane.start({ apiServerArgs: ['--audit-log-path='] });
    await installCrd(plane);
    await createNamespaces(plane, [NAMESPACE]);
    client = await ApiClient.fromKubeconfig(plane.adminKubeconfig);
    operator = await startOperator(plane.dir, plane.operatorKubeconfig, {
      METADATA_LEADER_ELECTION: 'false',
      METADATA_LOG_LEVEL: 'info',
      METADATA_WRITE_QPS: '1000',
      METADATA_WRITE_BURST: '1000',
      METADATA_STATUS_WORKERS: '8',
    });
    await waitUntilReady(operator);
  });

  after(async () => {
    client?.close();
    await operator?.stop();
    await plane?.stop();
  });

  it('indexes and writes the status of 5,000 new objects', async (t) => {
    const started = performance.now();
    await runPool(OBJECTS, IN_FLIGHT, async (index) => {
      const manifest = serviceMetadata(NAMESPACE, `burst-${index}`, {
        tags: [`shard-${index % 16}`],
      });
      const response = await client.request('POST', COLLECTION, manifest);
      assert.equal(response.status, 201, JSON.stringify(response.body));
    });
    t.diagnostic(`created ${OBJECTS.toLocaleString('en')} objects in ${secondsSince(started)} s`);

    await waitFor(
      'every object to be indexed',
      async () => (await query(operator.url, `namespace=${NAMESPACE}&limit=1`)).total === OBJECTS,
      { timeoutMs: PHASE_TIMEOUT_MS, intervalMs: 1000 },
    );
    t.diagnostic(
      `indexed ${OBJECTS.toLocaleString('en')} objects after ${secondsSince(started)} s`,
    );

    // The metric is cheap to poll; the list below then checks every object once.
    await waitFor(
      'a status write for every object',
      async () =>
        (await operatorMetric(operator, 'metadata_reconcile_total', ['result="written"'])) >=
        OBJECTS,
      { timeoutMs: PHASE_TIMEOUT_MS, intervalMs: 1000 },
    );
    const missing = await objectsWithoutCurrentStatus();
    t.diagnostic(
      `drained ${OBJECTS.toLocaleString('en')} status writes in ${secondsSince(started)} s`,
    );
    assert.deepEqual(missing, []);

    // The watch events of the writes queue each key once more, to find nothing left to write.
    await waitFor(
      'the work queue to drain',
      async () => (await operatorMetric(operator, 'metadata_workqueue_depth')) === 0,
      { timeoutMs: PHASE_TIMEOUT_MS, intervalMs: 1000 },
    );
    assert.equal(await operatorMetric(operator, 'metadata_reconcile_errors_total'), 0);
  });
});
