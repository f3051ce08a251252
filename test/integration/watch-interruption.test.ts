/**
 * Faults that need a control plane of their own, because they restart kube-apiserver: the CRD
 * missing at start-up, and a delete followed by a re-create under the same name while the
 * operator was frozen and the API server restarted.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ControlPlane } from '../support/control-plane.ts';
import { kubectlOk } from '../support/kubectl.ts';
import {
  apply,
  createNamespaces,
  installCrd,
  names,
  query,
  serviceMetadata,
} from '../support/fixtures.ts';
import { startOperator, waitUntilReady, type OperatorProcess } from '../support/operator.ts';
import { waitFor } from '../support/wait.ts';

const NAMESPACE = 'interrupted';

let plane: ControlPlane;
let operator: OperatorProcess;

describe('watch interruption', () => {
  before(async () => {
    plane = await ControlPlane.start();
    operator = await startOperator(plane.dir, plane.operatorKubeconfig, {
      METADATA_BACKOFF_INITIAL_MS: '100',
      METADATA_BACKOFF_MAX_MS: '1000',
    });
  });

  after(async () => {
    await operator?.stop();
    await plane?.stop();
  });

  it('reports why it is not ready while the CRD is missing', async () => {
    const body = await waitFor('a readiness failure that names the CRD', async () => {
      const response = await fetch(`${operator.url}/readyz`);
      const text = await response.text();
      return response.status === 503 && text.includes('CRD') ? text : undefined;
    });
    assert.match(body, /404/);

    await installCrd(plane);
    await waitUntilReady(operator);
  });

  it('reflects a re-create with other tags made while it was frozen', async () => {
    await createNamespaces(plane, [NAMESPACE]);
    await apply(plane, [serviceMetadata(NAMESPACE, 'phoenix', { tags: ['before'] })]);
    const first = await waitFor('phoenix under tag before', async () => {
      const response = await query(operator.url, 'tag=before');
      return response.items.find((item) => item.name === 'phoenix');
    });

    operator.process.child.kill('SIGSTOP');
    try {
      await plane.restartApiServer();
      await kubectlOk(plane, ['delete', 'smd', '-n', NAMESPACE, 'phoenix', '--wait=true']);
      await apply(plane, [serviceMetadata(NAMESPACE, 'phoenix', { tags: ['after'] })]);
    } finally {
      operator.process.child.kill('SIGCONT');
    }

    const second = await waitFor('phoenix under tag after', async () => {
      const response = await query(operator.url, 'tag=after');
      return response.items.find((item) => item.name === 'phoenix');
    });
    assert.notEqual(second.uid, first.uid);
    assert.deepEqual(second.tags, ['after']);
    assert.deepEqual(names(await query(operator.url, 'tag=before')), []);
    assert.equal((await query(operator.url, `namespace=${NAMESPACE}`)).total, 1);
  });
});
