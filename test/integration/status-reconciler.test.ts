/**
 * The status reconciler against the real API server: its merge patch carries the object's
 * resourceVersion, so a write computed from a stale copy is rejected with 409 Conflict and changes
 * nothing, and a write from the current copy goes through.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import type { ServiceMetadata, ServiceMetadataStatus } from '../../src/api/types.ts';
import { toStoredObject } from '../../src/controller/reflector/strip.ts';
import { serviceMetadataStatus } from '../../src/controller/service-metadata-status.ts';
import { StatusReconciler } from '../../src/controller/status-reconciler.ts';
import { WorkQueue } from '../../src/controller/work-queue.ts';
import { createRootLogger } from '../../src/observability/logger.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import { kubectlOk } from '../support/kubectl.ts';
import {
  apply,
  condition,
  createNamespaces,
  getServiceMetadata,
  installCrd,
  serviceMetadata,
} from '../support/fixtures.ts';
import { sharedControlPlane } from '../support/shared.ts';
import { waitFor } from '../support/wait.ts';

const plane = sharedControlPlane();
const NAMESPACE = 'status-reconciler';
const LIMITS = {
  maxTags: 64,
  maxTagLength: 63,
  allowedEnvironments: [],
  maxAttributes: 32,
  maxAttributeValueLength: 256,
};

/** Reads the object as the reflector would store it. */
async function stored(name: string): Promise<ServiceMetadata> {
  const output = await kubectlOk(plane, ['get', 'smd', '-n', NAMESPACE, name, '-o', 'json']);
  return toStoredObject(JSON.parse(output));
}

function reconcilerFor(
  copy: ServiceMetadata,
  queue = new WorkQueue({ initialMs: 100, maxMs: 1000 }),
  metrics = createMetrics(),
): StatusReconciler<ServiceMetadata, ServiceMetadataStatus> {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(plane.operatorKubeconfig);
  return new StatusReconciler({
    kubeConfig,
    plural: 'servicemetadatas',
    kind: 'ServiceMetadata',
    queue,
    lookup: () => copy,
    ...serviceMetadataStatus(LIMITS),
    workers: 1,
    logger: createRootLogger('silent'),
    metrics,
  });
}

describe('status reconciler', () => {
  before(async () => {
    await installCrd(plane);
    await createNamespaces(plane, [NAMESPACE]);
  });

  it('gets a conflict for a stale copy and writes nothing', async () => {
    await apply(plane, [serviceMetadata(NAMESPACE, 'stale', { tags: ['one'] })]);
    const old = await stored('stale');
    await apply(plane, [serviceMetadata(NAMESPACE, 'stale', { tags: ['two'] })]);

    const result = await reconcilerFor(old).reconcile(`${NAMESPACE}/stale`);
    assert.equal(result.type, 'conflict');
    const current = await getServiceMetadata(plane, NAMESPACE, 'stale');
    assert.equal(current.status, undefined);
  });

  it('counts the requeue of a conflicting write', async () => {
    await apply(plane, [serviceMetadata(NAMESPACE, 'requeued', { tags: ['one'] })]);
    const old = await stored('requeued');
    await apply(plane, [serviceMetadata(NAMESPACE, 'requeued', { tags: ['two'] })]);
    const queue = new WorkQueue({ initialMs: 100, maxMs: 1000 });
    const metrics = createMetrics();
    const reconciler = reconcilerFor(old, queue, metrics);

    queue.add(`${NAMESPACE}/requeued`);
    reconciler.start();
    try {
      await waitFor('a requeue after the conflict', async () => {
        const { values } = await metrics.queueRetriesTotal.get();
        return (values[0]?.value ?? 0) >= 1;
      });
    } finally {
      queue.shutDown();
      await reconciler.stopped();
    }
    const { values } = await metrics.reconcileTotal.get();
    const conflicts = values.find((value) => value.labels.result === 'conflict');
    assert.ok((conflicts?.value ?? 0) >= 1);
  });

  it('writes the status of the current copy once', async () => {
    await apply(plane, [serviceMetadata(NAMESPACE, 'fresh')]);
    const copy = await stored('fresh');
    const reconciler = reconcilerFor(copy);

    const first = await reconciler.reconcile(`${NAMESPACE}/fresh`);
    assert.equal(first.type, 'written');
    const written = await getServiceMetadata(plane, NAMESPACE, 'fresh');
    assert.equal(condition(written, 'Ready')?.status, 'True');
    assert.equal(written.status?.observedGeneration, 1);

    // Until the watch delivers the written object, the old copy must not cause a second write.
    const second = await reconciler.reconcile(`${NAMESPACE}/fresh`);
    assert.equal(second.type, 'unchanged');
  });
});
