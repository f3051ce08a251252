import assert from 'node:assert/strict';
import { once } from 'node:events';
import { get, type IncomingMessage } from 'node:http';
import { afterEach, beforeEach, describe, test } from 'node:test';

import type { Authenticator, Caller, NamespaceScope } from '../../../src/http/authenticator.ts';
import { BEARER_CHALLENGE } from '../../../src/http/request-access.ts';
import type { StatusBody } from '../../../src/http/status.ts';
import { itemKeys, makeRecord, startFixture, type ServerFixture } from './server-fixture.ts';

/** What each test user may list; the fixture contains namespaces `a`, `a-b` and `b`. */
const GRANTS: Readonly<Record<string, NamespaceScope>> = {
  alice: new Set(['a']),
  bob: new Set(['a', 'b']),
  root: 'all',
  nobody: new Set(),
};

/**
 * An authenticator whose token is the username (`Bearer alice`). `Bearer broken` fails to
 * authenticate, and the user `flaky` fails to authorize, as when the API server is unreachable.
 */
class FakeAuthenticator implements Authenticator {
  authenticate(authorization: string | undefined) {
    const username = authorization?.replace(/^Bearer /, '');
    if (username === 'broken') {
      return Promise.reject(new Error('failed to create tokenreviews: connection refused'));
    }

    if (username === undefined || (GRANTS[username] === undefined && username !== 'flaky')) {
      return Promise.resolve({ authenticated: false as const, reason: 'the token is not valid' });
    }

    const caller: Caller = { username, groups: [], extra: {} };
    return Promise.resolve({ authenticated: true as const, caller });
  }

  /** The candidates of every `allowedNamespaces` call, in order. */
  readonly checked: string[][] = [];

  allowedNamespaces(caller: Caller, candidates: () => Iterable<string>): Promise<NamespaceScope> {
    this.checked.push([...candidates()]);
    const scope = GRANTS[caller.username];
    if (scope === undefined) {
      return Promise.reject(new Error('failed to create subjectaccessreviews: HTTP 500'));
    }

    if (scope === 'all') {
      return Promise.resolve(scope);
    }

    return Promise.resolve(new Set([...candidates()].filter((namespace) => scope.has(namespace))));
  }
}

interface ListBody {
  total: number;
  items: { namespace: string; name: string }[];
}

describe('query server auth', () => {
  let fixture: ServerFixture;
  let authenticator: FakeAuthenticator;

  beforeEach(async () => {
    authenticator = new FakeAuthenticator();
    fixture = await startFixture({ server: { authenticator } });
  });

  afterEach(async () => {
    await fixture.server.close();
  });

  function send(path: string, user?: string): Promise<Response> {
    const headers: Record<string, string> =
      user === undefined ? {} : { Authorization: `Bearer ${user}` };
    return fetch(`${fixture.baseUrl}${path}`, { headers });
  }

  async function list(path: string, user: string): Promise<ListBody> {
    const response = await send(path, user);
    assert.equal(response.status, 200, await response.clone().text());
    return (await response.json()) as ListBody;
  }

  for (const path of ['/healthz', '/readyz', '/openapi.json']) {
    test(`${path} needs no token`, async () => {
      const response = await send(path);
      await response.body?.cancel();
      assert.equal(response.status, 200);
    });
  }

  for (const path of ['/v1/services', '/v1/facets', '/v1/services/a/api']) {
    test(`${path} without token is 401`, async () => {
      const response = await send(path);
      const body = (await response.json()) as StatusBody;

      assert.equal(response.status, 401);
      assert.equal(response.headers.get('www-authenticate'), BEARER_CHALLENGE);
      assert.equal(body.reason, 'Unauthorized');
      assert.equal(body.code, 401);
    });
  }

  test('rejected token is 401', async () => {
    const response = await send('/v1/services', 'mallory');
    const body = (await response.json()) as StatusBody;

    assert.equal(response.status, 401);
    assert.equal(body.message, 'Unauthorized: the token is not valid');
  });

  test('list shows listable namespaces only', async () => {
    const body = await list('/v1/services', 'alice');

    assert.deepEqual(itemKeys(body), ['a/api', 'a/web']);
    assert.equal(body.total, 2);
  });

  test('cluster-wide caller sees everything', async () => {
    const body = await list('/v1/services', 'root');

    assert.equal(body.total, 5);
  });

  test('caller without namespaces sees nothing', async () => {
    const body = await list('/v1/services', 'nobody');

    assert.deepEqual(body.items, []);
    assert.equal(body.total, 0);
  });

  test('facets count listable namespaces only', async () => {
    const response = await send('/v1/facets', 'alice');
    const body = (await response.json()) as { total: number; regions: Record<string, number> };

    assert.equal(body.total, 2);
    assert.deepEqual(body.regions, { 'eu,west': 1, 'eu-west-1': 1 });
  });

  test('explain counts listable namespaces only', async () => {
    const response = await send('/v1/services?explain=true', 'alice');
    const body = (await response.json()) as { total: number; plan: { steps: unknown[] } };

    assert.equal(body.total, 2);
    assert.deepEqual(body.plan.steps[0], {
      condition: 'namespace in (a)',
      estimate: 2,
      candidates: 2,
    });
  });

  const forbidden: ReadonlyArray<readonly [string, string]> = [
    ['namespace parameter', '/v1/services?namespace=a&namespace=b'],
    ['facets namespace', '/v1/facets?namespace=b'],
    ['object path', '/v1/services/b/billing'],
    ['watch namespace', '/v1/services?watch=true&namespace=b'],
  ];

  for (const [name, path] of forbidden) {
    test(`${name} outside the grant is 403`, async () => {
      const response = await send(path, 'alice');
      const body = (await response.json()) as StatusBody;

      assert.equal(response.status, 403);
      assert.equal(body.reason, 'Forbidden');
      assert.equal(
        body.message,
        'servicemetadatas.mesh.datapunk.io is forbidden: User "alice" cannot list resource ' +
          '"servicemetadatas" in API group "mesh.datapunk.io" in the namespace "b"',
      );
    });
  }

  test('first denied namespace ends the checks', async () => {
    const response = await send('/v1/services?namespace=b&namespace=c&namespace=d', 'alice');
    await response.body?.cancel();

    assert.equal(response.status, 403);
    assert.deepEqual(authenticator.checked, [['b']]);
  });

  test('object path inside the grant is 200', async () => {
    const response = await send('/v1/services/a/api', 'alice');
    await response.body?.cancel();

    assert.equal(response.status, 200);
  });

  test('cached result never crosses callers', async () => {
    const wide = await list('/v1/services?tag=critical', 'bob');
    const narrow = await list('/v1/services?tag=critical', 'alice');

    assert.deepEqual(itemKeys(wide), ['a/api', 'b/billing']);
    assert.deepEqual(itemKeys(narrow), ['a/api']);
  });

  test('result version follows the caller scope', async () => {
    const before = (await send('/v1/services', 'alice')).headers.get('x-result-version');
    await send('/v1/services', 'bob');

    fixture.index.upsert(makeRecord({ namespace: 'b', name: 'new' }), '1300');
    fixture.index.advanceWatermark('1300');
    const narrow = (await send('/v1/services', 'alice')).headers.get('x-result-version');
    const wide = (await send('/v1/services', 'bob')).headers.get('x-result-version');

    assert.equal(narrow, before);
    assert.equal(wide, '1300');
  });

  test('watch never carries other namespaces', async () => {
    const request = get(`${fixture.baseUrl}/v1/services?watch=true`, {
      agent: false,
      headers: { Authorization: 'Bearer alice' },
    });
    const [response] = (await once(request, 'response')) as [IncomingMessage];
    const lines: string[] = [];
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => lines.push(...chunk.split('\n').filter(Boolean)));

    fixture.index.upsert(makeRecord({ namespace: 'b', name: 'hidden' }), '1300');
    fixture.index.upsert(makeRecord({ namespace: 'a', name: 'shown' }), '1301');
    const deadline = Date.now() + 5000;
    while (!lines.some((line) => line.includes('"shown"')) && Date.now() < deadline) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    response.destroy();

    const subjects = lines
      .map(
        (line) =>
          JSON.parse(line) as { type: string; object: { namespace?: string; name?: string } },
      )
      .filter((event) => event.type !== 'BOOKMARK')
      .map((event) => `${event.type} ${event.object.namespace ?? ''}/${event.object.name ?? ''}`);
    assert.deepEqual(subjects, ['ADDED a/api', 'ADDED a/web', 'ADDED a/shown']);
  });

  const unavailable: ReadonlyArray<readonly [string, string]> = [
    ['authentication', 'broken'],
    ['authorization', 'flaky'],
  ];

  for (const [step, user] of unavailable) {
    test(`failed ${step} is 503`, async () => {
      const response = await send('/v1/services', user);
      const body = (await response.json()) as StatusBody;

      assert.equal(response.status, 503);
      assert.equal(body.reason, 'ServiceUnavailable');
      assert.ok(fixture.logs.some((record) => record.msg === 'failed to check a request'));
    });
  }
});
