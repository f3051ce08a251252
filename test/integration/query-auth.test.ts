/**
 * The query endpoint with `auth: kubernetes` against a real API server: real TokenRequest tokens
 * of two ServiceAccounts, reviewed with TokenReviews, and RoleBindings checked with
 * SubjectAccessReviews. Reader A may list ServiceMetadata in one namespace, reader B in two.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { get, type IncomingMessage } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { apply, createNamespaces, installCrd, serviceMetadata } from '../support/fixtures.ts';
import { kubectlOk } from '../support/kubectl.ts';
import { startOperator, waitUntilReady, type OperatorProcess } from '../support/operator.ts';
import { sharedControlPlane } from '../support/shared.ts';
import { waitFor } from '../support/wait.ts';

const plane = sharedControlPlane();
const NAMESPACE_A = 'query-auth-a';
const NAMESPACE_B = 'query-auth-b';
const CLIENTS = 'query-auth-clients';
const AUDIENCE = 'metadata-operator';
const TAG = 'query-auth';
const READER_ROLE = 'query-auth-servicemetadata-reader';
const TTL_SECONDS = 2;
const WAIT = { timeoutMs: 30_000 };

interface ListBody {
  total: number;
  items: { namespace: string; name: string }[];
}

let operator: OperatorProcess | undefined;
let tokenA: string;
let tokenB: string;

function readerRole(): object {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: READER_ROLE },
    rules: [{ apiGroups: ['mesh.datapunk.io'], resources: ['servicemetadatas'], verbs: ['list'] }],
  };
}

/** Returns a RoleBinding of the reader role in `namespace` to the ServiceAccount `account`. */
function readerBinding(namespace: string, account: string): object {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { namespace, name: `${account}-reads` },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: READER_ROLE },
    subjects: [{ kind: 'ServiceAccount', name: account, namespace: CLIENTS }],
  };
}

function serviceAccount(name: string): object {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { namespace: CLIENTS, name } };
}

/** Requests a token of a ServiceAccount for `audience` with the TokenRequest API. */
async function createToken(account: string, audience: string): Promise<string> {
  const args = ['create', 'token', account, '-n', CLIENTS, `--audience=${audience}`];
  return (await kubectlOk(plane, [...args, '--duration=1h'])).trim();
}

function send(path: string, token?: string): Promise<Response> {
  const headers: Record<string, string> =
    token === undefined ? {} : { Authorization: `Bearer ${token}` };
  return fetch(`${running().url}${path}`, { headers });
}

async function body<T>(path: string, token: string): Promise<T> {
  const response = await send(path, token);
  assert.equal(response.status, 200, await response.clone().text());
  return (await response.json()) as T;
}

function keys(list: ListBody): string[] {
  return list.items.map((item) => `${item.namespace}/${item.name}`);
}

function running(): OperatorProcess {
  assert.ok(operator !== undefined, 'the operator runs');
  return operator;
}

describe('query endpoint auth', () => {
  before(async () => {
    await installCrd(plane);
    await createNamespaces(plane, [NAMESPACE_A, NAMESPACE_B, CLIENTS]);
    await apply(plane, [
      readerRole(),
      serviceAccount('reader-a'),
      serviceAccount('reader-b'),
      readerBinding(NAMESPACE_A, 'reader-a'),
      readerBinding(NAMESPACE_A, 'reader-b'),
      readerBinding(NAMESPACE_B, 'reader-b'),
      serviceMetadata(NAMESPACE_A, 'alpha', { tags: [TAG, 'critical'] }),
      serviceMetadata(NAMESPACE_B, 'beta', { tags: [TAG, 'critical'] }),
    ]);
    tokenA = await createToken('reader-a', AUDIENCE);
    tokenB = await createToken('reader-b', AUDIENCE);

    // The operator's own user is in system:masters, so it may create both reviews.
    operator = await startOperator(plane.dir, plane.operatorKubeconfig, {
      METADATA_AUTH: 'kubernetes',
      METADATA_AUTH_CACHE_TTL_SECONDS: String(TTL_SECONDS),
    });
    await waitUntilReady(operator);
    await waitFor(
      'both objects in the index',
      async () => (await body<ListBody>(`/v1/services?tag=${TAG}`, tokenB)).total === 2,
      WAIT,
    );
  });

  after(async () => {
    await operator?.stop();
  });

  it('rejects a request without token', async () => {
    const response = await send(`/v1/services?tag=${TAG}`);
    const status = (await response.json()) as { reason: string };

    assert.equal(response.status, 401);
    assert.equal(response.headers.get('www-authenticate'), 'Bearer');
    assert.equal(status.reason, 'Unauthorized');
  });

  it('rejects a token for another audience', async () => {
    const foreign = await createToken('reader-b', 'another-service');
    const response = await send(`/v1/services?tag=${TAG}`, foreign);
    await response.body?.cancel();

    assert.equal(response.status, 401);
  });

  it('keeps the probes open', async () => {
    const response = await send('/readyz');
    await response.body?.cancel();

    assert.equal(response.status, 200);
  });

  it('serves reader B both namespaces, then A only its own', async () => {
    // B queries first, so that a result cached for B would reach A if the cache ignored the caller.
    const wide = await body<ListBody>(`/v1/services?tag=${TAG}`, tokenB);
    const narrow = await body<ListBody>(`/v1/services?tag=${TAG}`, tokenA);

    assert.deepEqual(keys(wide), [`${NAMESPACE_A}/alpha`, `${NAMESPACE_B}/beta`]);
    assert.deepEqual(keys(narrow), [`${NAMESPACE_A}/alpha`]);
    assert.equal(narrow.total, 1);
  });

  it('limits facets and plans of reader A', async () => {
    const facets = await body<{ total: number; tags: Record<string, number> }>(
      `/v1/facets?tag=${TAG}`,
      tokenA,
    );
    const plan = await body<{ total: number }>(`/v1/services?tag=${TAG}&explain=true`, tokenA);

    assert.equal(facets.total, 1);
    assert.equal(facets.tags.critical, 1);
    assert.equal(plan.total, 1);
  });

  it('forbids reader A the other namespace', async () => {
    const response = await send(`/v1/services?namespace=${NAMESPACE_B}`, tokenA);
    const status = (await response.json()) as { reason: string; message: string };

    assert.equal(response.status, 403);
    assert.equal(status.reason, 'Forbidden');
    assert.match(status.message, /User "system:serviceaccount:query-auth-clients:reader-a"/);
    assert.match(status.message, /in the namespace "query-auth-b"$/);
  });

  it('streams reader A no object of the other namespace', async () => {
    const request = get(`${running().url}/v1/services?watch=true&tag=${TAG}`, {
      agent: false,
      headers: { Authorization: `Bearer ${tokenA}` },
    });
    const [response] = (await once(request, 'response')) as [IncomingMessage];
    assert.equal(response.statusCode, 200);
    let text = '';
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      text += chunk;
    });

    await apply(plane, [serviceMetadata(NAMESPACE_B, 'beta-2', { tags: [TAG] })]);
    await apply(plane, [serviceMetadata(NAMESPACE_A, 'alpha-2', { tags: [TAG] })]);
    await waitFor('the event of alpha-2', () => text.includes('"alpha-2"'), WAIT);
    response.destroy();

    assert.equal(text.includes(NAMESPACE_B), false, text);
  });

  it('drops reader A within the TTL of a deleted binding', async () => {
    await body<ListBody>(`/v1/services?namespace=${NAMESPACE_A}`, tokenA);

    await kubectlOk(plane, ['delete', 'rolebinding', '-n', NAMESPACE_A, 'reader-a-reads']);
    const status = await waitFor(
      'reader A to lose its namespace',
      async () => {
        const response = await send(`/v1/services?namespace=${NAMESPACE_A}`, tokenA);
        await response.body?.cancel();
        return response.status === 403 ? response.status : undefined;
      },
      WAIT,
    );

    assert.equal(status, 403);
  });
});
