/**
 * The deploy RBAC is least privilege. The operator does its job with a token of its ServiceAccount
 * and the roles of `deploy/rbac.yaml`, its query endpoint checking callers with TokenReviews and
 * SubjectAccessReviews. Without any one verb that it uses, it fails visibly: in its log, in its
 * metrics, in readiness where the index cannot be built, and with a 503 where a caller cannot be
 * checked.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  apply,
  condition,
  createNamespaces,
  getServiceMetadata,
  installCrd,
  names,
  query,
  serviceMetadata,
} from '../support/fixtures.ts';
import {
  OPERATOR_NAMESPACE,
  grantsOf,
  installDeployRbac,
  readDeployRoles,
  restoreGrant,
  revokeGrant,
  serviceAccountKubeconfig,
  type Grant,
} from '../support/deploy-rbac.ts';
import { kubectl, kubectlOk } from '../support/kubectl.ts';
import {
  metricValue,
  startOperator,
  waitUntilReady,
  type OperatorProcess,
} from '../support/operator.ts';
import { sharedControlPlane } from '../support/shared.ts';
import { waitFor } from '../support/wait.ts';

const plane = sharedControlPlane();
const NAMESPACE = 'least-privilege';
const LEASE = 'metadata-operator';
const TOO_MANY_TAGS = Array.from({ length: 65 }, (_, index) => `tag-${index}`);
const WAIT = { timeoutMs: 20_000 };
/** The label of the ClusterMetadataQuery probes, which `after` deletes. */
const PROBE_LABEL = { 'app.kubernetes.io/part-of': 'least-privilege-test' };

/** Returns settings with short retries and Lease times, and the Lease and scope as deployed. */
function env(identity: string): Record<string, string> {
  return {
    POD_NAME: identity,
    METADATA_LEASE_NAMESPACE: OPERATOR_NAMESPACE,
    METADATA_BACKOFF_INITIAL_MS: '100',
    METADATA_BACKOFF_MAX_MS: '1000',
    METADATA_LEASE_DURATION_SECONDS: '4',
    METADATA_RENEW_DEADLINE_SECONDS: '3',
    METADATA_RETRY_PERIOD_SECONDS: '1',
    METADATA_AUTH: 'kubernetes',
  };
}

/** The resources whose reviews the query endpoint creates to check a caller. */
const REVIEW_RESOURCES: readonly string[] = ['tokenreviews', 'subjectaccessreviews'];

/** Sends a query with the caller token and returns the response's status code. */
async function queryStatus(operator: OperatorProcess): Promise<number> {
  const response = await fetch(`${operator.url}/v1/services?namespace=${NAMESPACE}`, {
    headers: { Authorization: `Bearer ${callerToken}` },
  });
  await response.body?.cancel();
  return response.status;
}

/** Returns the sum of the samples of a metric whose labels contain `labels`. */
function metric(operator: OperatorProcess, name: string, labels = ''): Promise<number> {
  return metricValue(operator, name, labels);
}

/**
 * Returns the log records at warn or above that report a 403 for the verb on the resource. The API
 * server's message names both, but a failed watch carries only the operator's action.
 */
async function forbiddenRecords(operator: OperatorProcess, grant: Grant): Promise<string[]> {
  const denial = `cannot ${grant.verb} resource \\"${grant.resource}\\"`;
  const action = `failed to ${grant.verb} ${grant.resource}:`;
  return (await operator.logs())
    .split('\n')
    .filter((line) => line.includes('403 Forbidden'))
    .filter((line) => line.includes(denial) || line.includes(action))
    .filter((line) => /"level":"(warn|error|fatal)"/.test(line));
}

async function readyz(operator: OperatorProcess): Promise<{ status: number; body: string }> {
  const response = await fetch(`${operator.url}/readyz`);
  return { status: response.status, body: await response.text() };
}

/** Creates a new invalid object and a new query of each kind, which all need a status write. */
async function createProbes(suffix: string): Promise<void> {
  const spec = { tags: { all: ['least-privilege'] } };
  await apply(plane, [
    serviceMetadata(NAMESPACE, `probe-${suffix}`, { tags: TOO_MANY_TAGS }),
    {
      apiVersion: 'mesh.datapunk.io/v1alpha1',
      kind: 'MetadataQuery',
      metadata: { namespace: NAMESPACE, name: `probe-${suffix}` },
      spec,
    },
    {
      apiVersion: 'mesh.datapunk.io/v1alpha1',
      kind: 'ClusterMetadataQuery',
      metadata: { name: `least-privilege-probe-${suffix}`, labels: PROBE_LABEL },
      spec,
    },
  ]);
}

/** Makes the probe object valid, then invalid again, so that its Event repeats as a series. */
async function flapProbe(suffix: string): Promise<void> {
  const name = `probe-${suffix}`;
  await waitFor(`the first Event of ${name}`, () => eventsOf(name).then((n) => n.length > 0), WAIT);
  await apply(plane, [serviceMetadata(NAMESPACE, name)]);
  await waitFor(`${name} to become Ready`, () => readyStatus(name).then((s) => s === 'True'), WAIT);
  await apply(plane, [serviceMetadata(NAMESPACE, name, { tags: TOO_MANY_TAGS })]);
}

async function readyStatus(name: string): Promise<string | undefined> {
  return condition(await getServiceMetadata(plane, NAMESPACE, name), 'Ready')?.status;
}

async function eventsOf(name: string): Promise<string[]> {
  const output = await kubectlOk(plane, [
    'get',
    'events.events.k8s.io',
    '-n',
    NAMESPACE,
    '--field-selector',
    `regarding.name=${name}`,
    '-o',
    'json',
  ]);
  return (JSON.parse(output) as { items: { reason: string }[] }).items.map((item) => item.reason);
}

/** Returns the metric and labels that show a missing grant, and the value that they reach. */
function expectedMetric(grant: Grant): { name: string; labels: string; value: number } {
  if (grant.resource === 'leases') {
    return { name: 'metadata_leader', labels: '', value: 0 };
  }
  if (grant.resource === 'events') {
    return { name: 'metadata_event_write_errors_total', labels: `verb="${grant.verb}"`, value: 1 };
  }
  if (REVIEW_RESOURCES.includes(grant.resource)) {
    return { name: 'metadata_http_requests_total', labels: 'code="503"', value: 1 };
  }
  if (grant.resource.endsWith('/status')) {
    return { name: 'metadata_reconcile_errors_total', labels: '', value: 1 };
  }
  if (grant.verb === 'list') {
    return { name: 'metadata_relists_total', labels: 'reason="error"', value: 1 };
  }
  return { name: 'metadata_watch_restarts_total', labels: '', value: 1 };
}

/**
 * The grants that the operator never uses, so that removing one changes nothing: none. A verb
 * listed here belongs out of `deploy/rbac.yaml`.
 */
const UNUSED: readonly string[] = [];

let kubeconfig: string;
/** A token of the operator's ServiceAccount for the endpoint's audience; it may list everything. */
let callerToken: string;
let operator: OperatorProcess | undefined;

describe('deploy RBAC', () => {
  before(async () => {
    await installCrd(plane);
    await createNamespaces(plane, [NAMESPACE]);
    await installDeployRbac(plane);
    kubeconfig = await serviceAccountKubeconfig(plane, plane.dir);
    const token = await kubectlOk(plane, [
      'create',
      'token',
      'metadata-operator',
      '-n',
      OPERATOR_NAMESPACE,
      '--audience=metadata-operator',
      '--duration=1h',
    ]);
    callerToken = token.trim();
  });

  after(async () => {
    await operator?.stop();
    await kubectl(plane, [
      'delete',
      'clustermetadataqueries',
      '-l',
      'app.kubernetes.io/part-of=least-privilege-test',
      '--wait=false',
    ]);
  });

  it('runs the operator with its ServiceAccount', async () => {
    operator = await startOperator(plane.dir, kubeconfig, env('least-privilege-main'));
    await waitUntilReady(operator);
    await apply(plane, [
      serviceMetadata(NAMESPACE, 'main-valid', { tags: ['least-privilege'] }),
      serviceMetadata(NAMESPACE, 'main-invalid', { tags: TOO_MANY_TAGS }),
    ]);

    await waitFor('main-valid to become Ready', async () => {
      return (await readyStatus('main-valid')) === 'True';
    });
    const invalid = await waitFor('main-invalid to become not Ready', async () => {
      const object = await getServiceMetadata(plane, NAMESPACE, 'main-invalid');
      return condition(object, 'Ready')?.status === 'False' ? object : undefined;
    });
    assert.equal(condition(invalid, 'Stalled')?.status, 'True');
    assert.equal(condition(invalid, 'Stalled')?.reason, 'LimitExceeded');

    const response = await query(operator.url, `namespace=${NAMESPACE}&tag=least-privilege`, {
      Authorization: `Bearer ${callerToken}`,
    });
    assert.deepEqual(names(response), [`${NAMESPACE}/main-valid`]);

    const reasons = await waitFor('the LimitExceeded Event', async () => {
      const found = await eventsOf('main-invalid');
      return found.includes('LimitExceeded') ? found : undefined;
    });
    assert.ok(reasons.includes('LimitExceeded'));

    const lease = await kubectlOk(plane, [
      'get',
      'lease',
      '-n',
      OPERATOR_NAMESPACE,
      LEASE,
      '-o',
      'json',
    ]);
    const holder = (JSON.parse(lease) as { spec: { holderIdentity?: string } }).spec.holderIdentity;
    assert.equal(holder, 'least-privilege-main');
    assert.equal(await metric(operator, 'metadata_leader'), 1);
    await operator.stop();
    operator = undefined;
  });

  it('fails visibly without each used verb', async (t) => {
    const grants = grantsOf(await readDeployRoles());
    const unused: string[] = [];
    for (const [index, grant] of grants.entries()) {
      const label = `${grant.verb} ${grant.resource}`;
      await t.test(`without ${label}`, async () => {
        await revokeGrant(plane, grant);
        try {
          if (grant.resource === 'leases') {
            await kubectl(plane, ['delete', 'lease', '-n', OPERATOR_NAMESPACE, LEASE]);
          }
          operator = await startOperator(plane.dir, kubeconfig, env(`least-privilege-${index}`));
          await createProbes(String(index));
          if (grant.resource === 'events' && grant.verb === 'patch') {
            await flapProbe(String(index));
          }
          if (REVIEW_RESOURCES.includes(grant.resource)) {
            assert.equal(await queryStatus(operator), 503, 'a caller that cannot be checked');
          }
          if (UNUSED.includes(label)) {
            await assertUnaffected(operator, grant, String(index));
            unused.push(label);
          } else {
            await assertVisibleFailure(operator, grant);
          }
        } finally {
          await operator?.stop();
          operator = undefined;
          await restoreGrant(plane, grant);
        }
      });
    }
    assert.deepEqual(unused, UNUSED, 'the verbs that the role grants but the operator never uses');
  });
});

/** Asserts the log record, the metric and the readiness that show the missing grant. */
async function assertVisibleFailure(running: OperatorProcess, grant: Grant): Promise<void> {
  const records = await waitFor(
    'a warning or error naming the denied request',
    async () => {
      const found = await forbiddenRecords(running, grant);
      return found.length > 0 ? found : undefined;
    },
    WAIT,
  );
  assert.ok(records.length > 0);

  const expected = expectedMetric(grant);
  const value = await waitFor(
    `${expected.name} to reach ${expected.value}`,
    async () => {
      const current = await metric(running, expected.name, expected.labels);
      return (expected.value === 0 ? current === 0 : current >= expected.value)
        ? current
        : undefined;
    },
    WAIT,
  );
  assert.equal(value >= expected.value, true);

  if (grant.resource === 'servicemetadatas') {
    const { status, body } = await readyz(running);
    assert.equal(status, 503, 'the index cannot be built, so not ready');
    assert.match(body, /403 Forbidden/);
  } else {
    await waitUntilReady(running, WAIT.timeoutMs);
    assert.equal((await readyz(running)).status, 200);
  }
}

/** Asserts that the operator lists, leads, writes status and records Events without the grant. */
async function assertUnaffected(
  running: OperatorProcess,
  grant: Grant,
  suffix: string,
): Promise<void> {
  await waitUntilReady(running, WAIT.timeoutMs);
  await waitFor(
    'the leader Lease',
    async () => (await metric(running, 'metadata_leader')) === 1,
    WAIT,
  );
  await waitFor(
    'the probe LimitExceeded Event',
    async () => {
      return (await eventsOf(`probe-${suffix}`)).includes('LimitExceeded');
    },
    WAIT,
  );
  assert.equal(await readyStatus(`probe-${suffix}`), 'False');
  assert.deepEqual(await forbiddenRecords(running, grant), []);
  assert.equal(await metric(running, 'metadata_reconcile_errors_total'), 0);
}
