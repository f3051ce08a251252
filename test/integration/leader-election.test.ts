/**
 * Leader election between two operator processes on one Lease: exactly one writes status, a
 * leader that shuts down hands over at once, and a frozen leader loses the Lease once it expires.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  apply,
  condition,
  createNamespaces,
  getServiceMetadata,
  installCrd,
  serviceMetadata,
} from '../support/fixtures.ts';
import { kubectlOk } from '../support/kubectl.ts';
import {
  scrapeMetrics,
  startOperator,
  waitUntilReady,
  type OperatorProcess,
} from '../support/operator.ts';
import { sharedControlPlane } from '../support/shared.ts';
import { waitFor } from '../support/wait.ts';

const plane = sharedControlPlane();
const NAMESPACE = 'leader-election';
const LEASE = 'leader-election-test';

interface Lease {
  spec: {
    holderIdentity?: string;
    renewTime?: string;
    acquireTime?: string;
    leaseTransitions?: number;
  };
}

function env(identity: string): Record<string, string> {
  return {
    POD_NAME: identity,
    METADATA_WATCH_NAMESPACES: NAMESPACE,
    METADATA_LEASE_NAME: LEASE,
    METADATA_LEASE_NAMESPACE: NAMESPACE,
    METADATA_LEASE_DURATION_SECONDS: '4',
    METADATA_RENEW_DEADLINE_SECONDS: '3',
    METADATA_RETRY_PERIOD_SECONDS: '1',
  };
}

async function readLease(): Promise<Lease> {
  const output = await kubectlOk(plane, ['get', 'lease', '-n', NAMESPACE, LEASE, '-o', 'json']);
  return JSON.parse(output) as Lease;
}

async function leads(operator: OperatorProcess): Promise<boolean> {
  const text = await scrapeMetrics(operator);
  return /^metadata_leader 1$/m.test(text);
}

async function readyAfterCreate(name: string): Promise<void> {
  await apply(plane, [serviceMetadata(NAMESPACE, name)]);
  await waitFor(`${name} to get a Ready status`, async () => {
    const object = await getServiceMetadata(plane, NAMESPACE, name);
    return condition(object, 'Ready')?.status === 'True';
  });
}

const operators = new Map<string, OperatorProcess>();

describe('leader election', () => {
  before(async () => {
    await installCrd(plane);
    await createNamespaces(plane, [NAMESPACE]);
    for (const identity of ['replica-a', 'replica-b']) {
      const operator = await startOperator(plane.dir, plane.operatorKubeconfig, env(identity));
      operators.set(identity, operator);
    }
    for (const operator of operators.values()) {
      await waitUntilReady(operator);
    }
  });

  after(async () => {
    for (const operator of operators.values()) {
      await operator.stop();
    }
  });

  it('elects exactly one leader, which holds the Lease', async () => {
    const leader = await waitFor('a leader', async () => {
      const lease = await readLease();
      return lease.spec.holderIdentity || undefined;
    });
    await waitFor('the leader to report it', async () => leads(operators.get(leader)!));
    for (const [identity, operator] of operators) {
      assert.equal(await leads(operator), identity === leader, `${identity} leads`);
    }
  });

  it('writes MicroTime values with six fraction digits', async () => {
    const lease = await readLease();
    assert.match(lease.spec.renewTime ?? '', /\.\d{6}Z$/);
    assert.match(lease.spec.acquireTime ?? '', /\.\d{6}Z$/);
  });

  it('writes status through the leader', async () => {
    await readyAfterCreate('first');
  });

  it('hands over at once when the leader shuts down', async () => {
    const before = await readLease();
    const leader = before.spec.holderIdentity ?? '';
    const successor = leader === 'replica-a' ? 'replica-b' : 'replica-a';

    await operators.get(leader)?.stop();
    operators.delete(leader);
    const lease = await waitFor('the successor to take the Lease', async () => {
      const current = await readLease();
      return current.spec.holderIdentity === successor ? current : undefined;
    });
    assert.equal(lease.spec.leaseTransitions, (before.spec.leaseTransitions ?? 0) + 1);
    await readyAfterCreate('second');

    const restarted = await startOperator(plane.dir, plane.operatorKubeconfig, env(leader));
    operators.set(leader, restarted);
    await waitUntilReady(restarted);
    assert.equal((await readLease()).spec.holderIdentity, successor, 'a new replica waits');
  });

  it('takes over from a frozen leader once its Lease expires', async () => {
    const leader = (await readLease()).spec.holderIdentity ?? '';
    const frozen = operators.get(leader);
    const successor = leader === 'replica-a' ? 'replica-b' : 'replica-a';
    frozen?.process.child.kill('SIGSTOP');
    try {
      await waitFor('the successor to take the expired Lease', async () => {
        return (await readLease()).spec.holderIdentity === successor;
      });
      await readyAfterCreate('third');
    } finally {
      frozen?.process.child.kill('SIGCONT');
    }
    await waitFor('the old leader to stop leading', async () => !(await leads(frozen!)));
  });
});
