/**
 * Other writers on the operator's objects: a client that changes labels and owns a status
 * condition while the operator writes its own conditions, and the namespace controller deleting a
 * whole namespace of objects.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { kubectl, kubectlOk } from '../support/kubectl.ts';
import {
  apply,
  condition,
  createNamespaces,
  getServiceMetadata,
  installCrd,
  query,
  serviceMetadata,
  type StoredServiceMetadata,
} from '../support/fixtures.ts';
import { ApiClient, runPool } from '../support/faults.ts';
import { operatorMetric } from '../support/metrics.ts';
import { startOperator, waitUntilReady, type OperatorProcess } from '../support/operator.ts';
import { sharedControlPlane } from '../support/shared.ts';
import { waitFor } from '../support/wait.ts';

const plane = sharedControlPlane();
const NAMESPACE = 'faults-writers';
const DOOMED_NAMESPACE = 'faults-doomed';
const DOOMED_OBJECTS = 40;
const ROUNDS = 10;
/** Foreign status writes after each spec change. */
const WRITES_PER_ROUND = 20;
const NAME = 'contested';
/** A condition type that the other writer owns; the operator must keep it. */
const FOREIGN_TYPE = 'example.com/Audited';
const LABEL = 'example.com/owner';
/** How long the operator may take to write the last generation once the other writer stopped. */
const SETTLE_TIMEOUT_MS = 30_000;

let operator: OperatorProcess;
let client: ApiClient;

type StoredCondition = NonNullable<NonNullable<StoredServiceMetadata['status']>['conditions']>[0];

const OBJECT_PATH = `/apis/mesh.datapunk.io/v1alpha1/namespaces/${NAMESPACE}/servicemetadatas/${NAME}`;

/**
 * Sets the foreign condition's message the way a careful client does: reads the object, replaces
 * only its own condition, and writes the status with the resourceVersion it read, again on 409.
 * Returns the number of conflicts it met.
 */
async function writeForeignCondition(message: string): Promise<number> {
  for (let conflicts = 0; ; conflicts += 1) {
    const read = await client.request('GET', OBJECT_PATH);
    const object = read.body as StoredServiceMetadata;
    const others = (object.status?.conditions ?? []).filter((c) => c.type !== FOREIGN_TYPE);
    const foreign: StoredCondition = {
      type: FOREIGN_TYPE,
      status: 'True',
      reason: 'Audited',
      message,
      lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    };
    const written = await client.request('PATCH', `${OBJECT_PATH}/status`, {
      metadata: { resourceVersion: object.metadata.resourceVersion },
      status: { conditions: [...others, foreign] },
    });
    if (written.status === 200) {
      return conflicts;
    }
    if (written.status !== 409) {
      throw new Error(`failed to patch the status of ${NAME}: ${JSON.stringify(written.body)}`);
    }
  }
}

/** Changes the spec, and with it the generation, and sets the label, in one merge patch. */
async function changeSpecAndLabel(round: number): Promise<void> {
  const response = await client.request('PATCH', OBJECT_PATH, {
    metadata: { labels: { [LABEL]: `round-${round}` } },
    spec: { tags: [`round-${round}`] },
  });
  assert.equal(response.status, 200);
}

describe('other writers', () => {
  before(async () => {
    await installCrd(plane);
    await createNamespaces(plane, [NAMESPACE, DOOMED_NAMESPACE]);
    operator = await startOperator(plane.dir, plane.operatorKubeconfig, {
      METADATA_LEADER_ELECTION: 'false',
      METADATA_BACKOFF_INITIAL_MS: '50',
      METADATA_BACKOFF_MAX_MS: '1000',
    });
    await waitUntilReady(operator);
    client = await ApiClient.fromKubeconfig(plane.adminKubeconfig);
  });

  after(async () => {
    client?.close();
    await operator?.stop();
    await kubectlOk(plane, ['delete', 'namespace', NAMESPACE, '--wait=false']);
  });

  it('keeps labels and conditions of another writer', async (t) => {
    await apply(plane, [serviceMetadata(NAMESPACE, NAME, { tags: ['round-start'] })]);
    await waitFor('the operator to write Ready', async () => {
      return condition(await getServiceMetadata(plane, NAMESPACE, NAME), 'Ready') !== undefined;
    });
    const errorsBefore = await operatorMetric(operator, 'metadata_reconcile_errors_total');
    const conflictsBefore = await operatorMetric(operator, 'metadata_reconcile_total', [
      'result="conflict"',
    ]);

    // The foreign writer writes back to back while the spec changes, so the operator's patches,
    // computed from its watch copy, race with writes that it has not seen yet.
    let foreignConflicts = 0;
    for (let round = 0; round < ROUNDS; round += 1) {
      await changeSpecAndLabel(round);
      for (let write = 0; write < WRITES_PER_ROUND; write += 1) {
        foreignConflicts += await writeForeignCondition(`round ${round} write ${write}`);
      }
    }
    t.diagnostic(`foreign writer conflicts: ${foreignConflicts}`);

    const last = `round-${ROUNDS - 1}`;
    const settled = await waitFor(
      'the status of the last generation',
      async () => {
        const object = await getServiceMetadata(plane, NAMESPACE, NAME);
        const ready = condition(object, 'Ready');
        const generation = object.metadata.generation;
        const current =
          object.status?.observedGeneration === generation &&
          (ready as { observedGeneration?: number } | undefined)?.observedGeneration === generation;
        return current ? object : undefined;
      },
      { timeoutMs: SETTLE_TIMEOUT_MS },
    );
    const conflicts =
      (await operatorMetric(operator, 'metadata_reconcile_total', ['result="conflict"'])) -
      conflictsBefore;
    t.diagnostic(`status write conflicts retried: ${conflicts}`);
    assert.ok(conflicts >= 1, 'the operator never raced the other writer');
    assert.equal(await operatorMetric(operator, 'metadata_reconcile_errors_total'), errorsBefore);

    assert.equal(condition(settled, 'Ready')?.status, 'True');
    assert.equal(
      condition(settled, FOREIGN_TYPE)?.message,
      `round ${ROUNDS - 1} write ${WRITES_PER_ROUND - 1}`,
    );
    const labels = await kubectlOk(plane, [
      'get',
      'smd',
      '-n',
      NAMESPACE,
      NAME,
      '-o',
      `jsonpath={.metadata.labels.example\\.com/owner}`,
    ]);
    assert.equal(labels, last);
    const indexed = await query(operator.url, `namespace=${NAMESPACE}`);
    assert.deepEqual(
      indexed.items.map((item) => item.tags),
      [[last]],
    );
  });

  it('drops every object of a deleted namespace', async (t) => {
    const names = Array.from({ length: DOOMED_OBJECTS }, (_, i) => `doomed-${i}`);
    await apply(
      plane,
      names.map((name) => serviceMetadata(DOOMED_NAMESPACE, name)),
    );
    await waitFor('the doomed objects to be indexed', async () => {
      const response = await query(operator.url, `namespace=${DOOMED_NAMESPACE}`);
      return response.total === DOOMED_OBJECTS;
    });

    const started = performance.now();
    await kubectlOk(plane, ['delete', 'namespace', DOOMED_NAMESPACE, '--timeout=120s']);
    t.diagnostic(`namespace deleted in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    await waitFor('the index to drop the namespace', async () => {
      return (await query(operator.url, `namespace=${DOOMED_NAMESPACE}`)).total === 0;
    });
    const remaining = await kubectl(plane, ['get', 'smd', '-n', DOOMED_NAMESPACE, '-o', 'name']);
    assert.equal(remaining.stdout.trim(), '');
    await runPool(names.length, 8, async (index) => {
      const url = `${operator.url}/v1/services/${DOOMED_NAMESPACE}/${names[index] ?? ''}`;
      const response = await fetch(url);
      await response.arrayBuffer();
      assert.equal(response.status, 404);
    });
  });
});
