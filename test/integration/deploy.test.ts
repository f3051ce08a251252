/**
 * The deploy manifests against the real API server: `kubectl apply -k deploy/` in server-side
 * dry-run mode, which runs every admission and validation step without storing anything.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ROOT, createNamespaces } from '../support/fixtures.ts';
import { kubectl } from '../support/kubectl.ts';
import { sharedControlPlane } from '../support/shared.ts';

const plane = sharedControlPlane();

describe('deploy manifests', () => {
  it('pass a server-side dry run', async () => {
    await createNamespaces(plane, ['metadata-system']);
    const result = await kubectl(plane, ['apply', '-k', `${ROOT}deploy`, '--dry-run=server']);
    assert.equal(result.code, 0, result.stderr);
    for (const kind of [
      'deployment.apps',
      'clusterrole.rbac.authorization.k8s.io',
      'poddisruptionbudget.policy',
      'networkpolicy.networking.k8s.io',
    ]) {
      assert.match(result.stdout, new RegExp(`${kind.replace(/\./g, '\\.')}/metadata-operator`));
    }
  });
});
