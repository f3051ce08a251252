/**
 * The controller layer run in the test process against the real API server, so that the test can
 * read the index's internal maps: after every object was deleted, no map may keep an entry.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { Manager } from '../../src/controller/manager.ts';
import { MetadataIndex } from '../../src/index/metadata-index.ts';
import { createRootLogger } from '../../src/observability/logger.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import { kubectlOk } from '../support/kubectl.ts';
import { apply, createNamespaces, installCrd, serviceMetadata } from '../support/fixtures.ts';
import { sharedControlPlane } from '../support/shared.ts';
import { waitFor } from '../support/wait.ts';

const plane = sharedControlPlane();
const NAMESPACE = 'index-cleanup';
const OBJECTS = 30;

const index = new MetadataIndex();
let manager: Manager;

describe('index cleanup', () => {
  before(async () => {
    await installCrd(plane);
    await createNamespaces(plane, [NAMESPACE]);
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(plane.operatorKubeconfig);
    manager = new Manager({
      settings: {
        watchNamespaces: [NAMESPACE],
        listPageSize: 7,
        watchTimeoutSeconds: 30,
        watchInactivityTimeoutSeconds: 90,
        backoffInitialMs: 100,
        backoffMaxMs: 1000,
        statusWorkers: 2,
        leaderElection: false,
        leaseName: 'metadata-operator',
        leaseNamespace: 'default',
        leaseDurationSeconds: 15,
        renewDeadlineSeconds: 10,
        retryPeriodSeconds: 2,
        writeQps: 100,
        writeBurst: 100,
        maxTags: 64,
        maxTagLength: 63,
        allowedEnvironments: [],
        maxAttributes: 32,
        maxAttributeValueLength: 256,
      },
      kubeConfig,
      index,
      logger: createRootLogger('silent'),
      metrics: createMetrics(),
    });
    manager.start();
  });

  after(async () => {
    await manager?.stop();
  });

  it('empties every internal map once all objects are deleted', async () => {
    const objects = Array.from({ length: OBJECTS }, (_, i) =>
      serviceMetadata(NAMESPACE, `svc-${i}`, {
        version: `${1 + (i % 3)}.${i % 5}.0`,
        environment: ['production', 'staging'][i % 2],
        region: ['eu-west', 'us-east', 'ap-south'][i % 3],
        tags: [`tag-${i % 4}`, `shared`],
        attributes: { tier: i % 2 === 0 ? 'backend' : 'frontend', [`key-${i % 5}`]: `${i}` },
      }),
    );
    await apply(plane, objects);
    await waitFor('every object to be indexed', () => index.size === OBJECTS);
    const filled = index.internalSizes();
    assert.ok(
      Object.values(filled.entries).every((count) => count > 0),
      'every map was filled',
    );

    await kubectlOk(plane, ['delete', 'smd', '-n', NAMESPACE, '--all']);
    await waitFor('every object to leave the index', () => index.size === 0);

    const emptied = index.internalSizes();
    assert.equal(emptied.records, 0);
    for (const [dimension, count] of Object.entries(emptied.entries)) {
      assert.equal(count, 0, `the ${dimension} map is empty`);
    }
  });

  it('advances the watermark to the latest resourceVersion', async () => {
    await apply(plane, [serviceMetadata(NAMESPACE, 'marker')]);
    const stored = JSON.parse(
      await kubectlOk(plane, ['get', 'smd', '-n', NAMESPACE, 'marker', '-o', 'json']),
    ) as { metadata: { resourceVersion: string } };
    await waitFor(
      'the watermark to reach the object',
      () => BigInt(index.watermark) >= BigInt(stored.metadata.resourceVersion),
    );
  });
});
