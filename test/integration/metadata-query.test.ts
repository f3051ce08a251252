/**
 * MetadataQuery and ClusterMetadataQuery against the real API server: their status follows the
 * ServiceMetadata objects they match, a namespaced query never lists another namespace, and a
 * change writes the status of exactly the affected queries, counted from the audit log.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readAuditEvents, statusWrites } from '../support/audit.ts';
import { apply, createNamespaces, installCrd, serviceMetadata } from '../support/fixtures.ts';
import { kubectlOk } from '../support/kubectl.ts';
import { startOperator, waitUntilReady, type OperatorProcess } from '../support/operator.ts';
import { sharedControlPlane } from '../support/shared.ts';
import { waitFor } from '../support/wait.ts';

const plane = sharedControlPlane();
const HOME = 'queries-home';
const OTHER = 'queries-other';

interface QueryStatus {
  observedGeneration?: number;
  matchCount?: number;
  matches?: { namespace: string; name: string; version?: string }[];
  truncated?: boolean;
  resultResourceVersion?: string;
  conditions?: { type: string; status: string; reason: string; message: string }[];
}

function metadataQuery(name: string, spec: object): object {
  return {
    apiVersion: 'mesh.datapunk.io/v1alpha1',
    kind: 'MetadataQuery',
    metadata: { namespace: HOME, name },
    spec,
  };
}

function clusterQuery(name: string, spec: object): object {
  return {
    apiVersion: 'mesh.datapunk.io/v1alpha1',
    kind: 'ClusterMetadataQuery',
    metadata: { name },
    spec,
  };
}

async function statusOf(resource: string, name: string, namespace?: string): Promise<QueryStatus> {
  const scope = namespace === undefined ? [] : ['-n', namespace];
  const output = await kubectlOk(plane, ['get', resource, ...scope, name, '-o', 'json']);
  return (JSON.parse(output) as { status?: QueryStatus }).status ?? {};
}

function names(status: QueryStatus): string[] {
  return (status.matches ?? []).map((match) => `${match.namespace}/${match.name}`);
}

/** Counts the operator's status writes to one query object. */
async function writesTo(resource: string, name: string): Promise<number> {
  const events = await readAuditEvents(plane.auditLogPath);
  return statusWrites(events, 'metadata-operator').filter(
    (event) => event.objectRef?.resource === resource && event.objectRef.name === name,
  ).length;
}

let operator: OperatorProcess;

describe('metadata queries', () => {
  before(async () => {
    await installCrd(plane);
    await createNamespaces(plane, [HOME, OTHER]);
    await apply(plane, [
      serviceMetadata(HOME, 'alpha', { tags: ['blue'], version: '1.0.0' }),
      serviceMetadata(HOME, 'beta', { tags: ['blue', 'green'], version: '2.0.0' }),
      serviceMetadata(OTHER, 'gamma', { tags: ['blue'], version: '3.0.0' }),
    ]);
    await apply(plane, [
      metadataQuery('blue', { tags: { all: ['blue'] }, sort: 'version' }),
      metadataQuery('red', { tags: { all: ['red'] } }),
      metadataQuery('blue-top', { tags: { all: ['blue'] }, maxResults: 1 }),
      metadataQuery('too-far', { namespaces: [OTHER], tags: { all: ['blue'] } }),
      clusterQuery('blue-everywhere', { tags: { all: ['blue'] }, namespaces: [HOME, OTHER] }),
    ]);
    operator = await startOperator(plane.dir, plane.operatorKubeconfig, {
      METADATA_WATCH_NAMESPACES: [HOME, OTHER].join(','),
    });
    await waitUntilReady(operator);
  });

  after(async () => {
    await operator?.stop();
  });

  it('lists the matches of its own namespace only', async () => {
    const status = await waitFor('the blue query to list its matches', async () => {
      const current = await statusOf('mdq', 'blue', HOME);
      return current.matchCount === 2 ? current : undefined;
    });
    assert.deepEqual(names(status), [`${HOME}/beta`, `${HOME}/alpha`], 'newest version first');
    assert.equal(status.truncated, false);
    assert.equal(status.observedGeneration, 1);
    assert.equal(status.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
  });

  it('lists at most maxResults matches and says so', async () => {
    const status = await waitFor('the blue-top query to get a status', async () => {
      const current = await statusOf('mdq', 'blue-top', HOME);
      return current.matchCount === 2 ? current : undefined;
    });
    assert.equal(status.matches?.length, 1);
    assert.equal(status.truncated, true);
    assert.deepEqual(names(status), [`${HOME}/alpha`], 'the first by name');
  });

  it('searches every named namespace as a cluster query', async () => {
    const status = await waitFor('the cluster query to list its matches', async () => {
      const current = await statusOf('cmdq', 'blue-everywhere');
      return current.matchCount === 3 ? current : undefined;
    });
    assert.deepEqual(names(status), [`${HOME}/alpha`, `${HOME}/beta`, `${OTHER}/gamma`]);
  });

  it('marks a namespaced query that names namespaces invalid', async () => {
    const status = await waitFor('the too-far query to get a status', async () => {
      const current = await statusOf('mdq', 'too-far', HOME);
      return current.conditions === undefined ? undefined : current;
    });
    const valid = status.conditions?.find((c) => c.type === 'Valid');
    assert.equal(valid?.status, 'False');
    assert.match(valid?.message ?? '', /spec\.namespaces/);
    assert.equal(status.conditions?.find((c) => c.type === 'Stalled')?.status, 'True');
    assert.equal(status.matchCount, 0);
  });

  it('writes the status of exactly the affected queries', async () => {
    await waitFor(
      'the red query to get a status',
      async () => (await statusOf('mdq', 'red', HOME)).conditions !== undefined,
    );
    const redBefore = await writesTo('metadataqueries', 'red');
    const blueBefore = await writesTo('metadataqueries', 'blue');
    const clusterBefore = await writesTo('clustermetadataqueries', 'blue-everywhere');

    await apply(plane, [serviceMetadata(HOME, 'delta', { tags: ['blue'], version: '4.0.0' })]);
    const blue = await waitFor('the blue query to list delta', async () => {
      const current = await statusOf('mdq', 'blue', HOME);
      return current.matchCount === 3 ? current : undefined;
    });
    assert.equal(names(blue)[0], `${HOME}/delta`);
    await waitFor(
      'the cluster query to list delta',
      async () => (await statusOf('cmdq', 'blue-everywhere')).matchCount === 4,
    );

    // A change within the result: alpha's new version moves it to the front of the version sort.
    await apply(plane, [serviceMetadata(HOME, 'alpha', { tags: ['blue'], version: '9.0.0' })]);
    await waitFor('the blue query to list alpha first', async () => {
      const current = await statusOf('mdq', 'blue', HOME);
      return names(current)[0] === `${HOME}/alpha` ? current : undefined;
    });
    await waitFor('the cluster query to show alpha at 9.0.0', async () => {
      const current = await statusOf('cmdq', 'blue-everywhere');
      return current.matches?.some((match) => match.name === 'alpha' && match.version === '9.0.0');
    });

    await kubectlOk(plane, ['delete', 'smd', '-n', HOME, 'delta']);
    await waitFor(
      'the blue query to drop delta',
      async () => (await statusOf('mdq', 'blue', HOME)).matchCount === 2,
    );
    await waitFor(
      'the cluster query to drop delta',
      async () => (await statusOf('cmdq', 'blue-everywhere')).matchCount === 3,
    );

    assert.equal(await writesTo('metadataqueries', 'blue'), blueBefore + 3);
    assert.equal(await writesTo('clustermetadataqueries', 'blue-everywhere'), clusterBefore + 3);
    assert.equal(await writesTo('metadataqueries', 'red'), redBefore, 'no write to red');
  });

  it('records the resourceVersion of the change', async () => {
    // The operator writes the new object's status at once, so its resourceVersion at creation
    // is read from the create response, not from a later get.
    const manifest = JSON.stringify(serviceMetadata(HOME, 'epsilon', { tags: ['blue'] }));
    const created = JSON.parse(
      await kubectlOk(plane, ['create', '-f', '-', '-o', 'json'], manifest),
    ) as { metadata: { resourceVersion: string } };
    const status = await waitFor('the blue query to list epsilon', async () => {
      const current = await statusOf('mdq', 'blue', HOME);
      return current.matchCount === 3 ? current : undefined;
    });
    assert.equal(status.resultResourceVersion, created.metadata.resourceVersion);
  });
});
