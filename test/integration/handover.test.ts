/**
 * How the Lease passes between two operator processes, read from the Lease and from the API
 * server's audit log. The two act as different users (the administrator's operator user and the
 * deploy ServiceAccount), so the audit log separates their status writes:
 * - after SIGTERM the leader releases the Lease, so the successor acquires it before the old
 *   renewTime plus the Lease duration;
 * - after SIGKILL nobody releases it, so the successor waits until it expired;
 * - in both cases the old leader's last status write comes before the new leader's first.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readAuditEvents, statusWrites } from '../support/audit.ts';
import {
  OPERATOR_NAMESPACE,
  SERVICE_ACCOUNT_USER,
  installDeployRbac,
  serviceAccountKubeconfig,
} from '../support/deploy-rbac.ts';
import {
  apply,
  condition,
  createNamespaces,
  getServiceMetadata,
  installCrd,
  serviceMetadata,
} from '../support/fixtures.ts';
import { kubectlOk } from '../support/kubectl.ts';
import { startOperator, waitUntilReady, type OperatorProcess } from '../support/operator.ts';
import { sharedControlPlane } from '../support/shared.ts';
import { waitFor } from '../support/wait.ts';

const plane = sharedControlPlane();
const NAMESPACE = 'handover';
const LEASE = 'handover-test';
const LEASE_DURATION_MS = 4000;
const OPERATOR_USER = 'metadata-operator';

interface LeaseSpec {
  holderIdentity?: string;
  acquireTime?: string;
  renewTime?: string;
}

function env(identity: string): Record<string, string> {
  return {
    POD_NAME: identity,
    METADATA_WATCH_NAMESPACES: NAMESPACE,
    METADATA_LEASE_NAME: LEASE,
    METADATA_LEASE_NAMESPACE: OPERATOR_NAMESPACE,
    METADATA_LEASE_DURATION_SECONDS: String(LEASE_DURATION_MS / 1000),
    METADATA_RENEW_DEADLINE_SECONDS: '3',
    METADATA_RETRY_PERIOD_SECONDS: '1',
  };
}

async function readLease(): Promise<LeaseSpec> {
  const output = await kubectlOk(plane, [
    'get',
    'lease',
    '-n',
    OPERATOR_NAMESPACE,
    LEASE,
    '-o',
    'json',
  ]);
  return (JSON.parse(output) as { spec: LeaseSpec }).spec;
}

async function holderBecomes(identity: string): Promise<LeaseSpec> {
  return waitFor(`${identity} to hold the Lease`, async () => {
    const lease = await readLease().catch(() => undefined);
    return lease?.holderIdentity === identity ? lease : undefined;
  });
}

async function readyAfterCreate(name: string): Promise<void> {
  await apply(plane, [serviceMetadata(NAMESPACE, name)]);
  await waitFor(`${name} to get a Ready status`, async () => {
    const object = await getServiceMetadata(plane, NAMESPACE, name);
    return condition(object, 'Ready')?.status === 'True';
  });
}

/** Returns the times of the status writes that `user` sent in the test's namespace, ascending. */
async function writeTimes(user: string): Promise<number[]> {
  const events = await readAuditEvents(plane.auditLogPath);
  return statusWrites(events, user)
    .filter((event) => event.objectRef?.namespace === NAMESPACE)
    .map((event) => Date.parse(event.stageTimestamp ?? ''))
    .sort((a, b) => a - b);
}

const operators: OperatorProcess[] = [];

describe('Lease handover', () => {
  let serviceAccount: string;

  before(async () => {
    await installCrd(plane);
    await installDeployRbac(plane);
    await createNamespaces(plane, [NAMESPACE]);
    serviceAccount = await serviceAccountKubeconfig(plane, plane.dir);
  });

  after(async () => {
    for (const operator of operators) {
      await operator.stop();
    }
  });

  it('releases the Lease on SIGTERM', async () => {
    const first = await startOperator(plane.dir, plane.operatorKubeconfig, env('term-first'));
    operators.push(first);
    await waitUntilReady(first);
    await holderBecomes('term-first');
    const second = await startOperator(plane.dir, serviceAccount, env('term-second'));
    operators.push(second);
    await waitUntilReady(second);
    await readyAfterCreate('before-term');

    const old = await readLease();
    await first.stop();
    const lease = await holderBecomes('term-second');
    const acquired = Date.parse(lease.acquireTime ?? '');
    assert.ok(
      acquired < Date.parse(old.renewTime ?? '') + LEASE_DURATION_MS,
      'taken before expiry',
    );

    await readyAfterCreate('after-term');
    const oldLeader = await writeTimes(OPERATOR_USER);
    const newLeader = await writeTimes(SERVICE_ACCOUNT_USER);
    assert.ok(oldLeader.length > 0, 'the old leader wrote');
    assert.ok(newLeader.length > 0, 'the new leader wrote');
    assert.ok((oldLeader.at(-1) ?? 0) < (newLeader[0] ?? 0), 'the old leader wrote first');
  });

  it('waits for expiry after SIGKILL', async () => {
    const leader = operators.at(-1) as OperatorProcess;
    const successor = await startOperator(plane.dir, plane.operatorKubeconfig, env('kill-next'));
    operators.push(successor);
    await waitUntilReady(successor);
    const writesBefore = (await writeTimes(OPERATOR_USER)).length;

    leader.process.child.kill('SIGKILL');
    await leader.process.exited;
    const old = await readLease();
    const lease = await holderBecomes('kill-next');
    const acquired = Date.parse(lease.acquireTime ?? '');
    assert.ok(
      acquired >= Date.parse(old.renewTime ?? '') + LEASE_DURATION_MS,
      'taken after expiry',
    );

    await readyAfterCreate('after-kill');
    const oldLeader = await writeTimes(SERVICE_ACCOUNT_USER);
    const newLeader = (await writeTimes(OPERATOR_USER)).slice(writesBefore);
    assert.ok(newLeader.length > 0, 'the successor wrote');
    assert.ok((oldLeader.at(-1) ?? 0) < (newLeader[0] ?? 0), 'the old leader wrote first');
  });
});
