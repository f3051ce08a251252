import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import type {
  AccessReviews,
  ReviewedUser,
  TokenReviewResult,
} from '../../../../src/controller/auth/access-reviews.ts';
import {
  KubernetesAuthenticator,
  MAX_CONCURRENT_REVIEWS,
  userCacheKey,
} from '../../../../src/controller/auth/kubernetes-authenticator.ts';

const ALICE: ReviewedUser = { username: 'alice', uid: 'u-1', groups: ['dev'], extra: {} };
const TTL_SECONDS = 10;

/** Reviews that return results from tables and record every call. */
class FakeReviews implements AccessReviews {
  readonly tokenCalls: Array<{ token: string; audience: string }> = [];
  readonly accessCalls: Array<{ user: string; namespace: string }> = [];
  users = new Map<string, ReviewedUser>([['token-alice', ALICE]]);
  /** `user/namespace` pairs that may list; an empty namespace is every namespace. */
  grants = new Set<string>();
  failure: Error | undefined;

  reviewToken(token: string, audience: string): Promise<TokenReviewResult> {
    this.tokenCalls.push({ token, audience });
    if (this.failure !== undefined) {
      return Promise.reject(this.failure);
    }

    const user = this.users.get(token);
    return Promise.resolve(
      user === undefined
        ? { authenticated: false, reason: 'the token is not valid' }
        : { authenticated: true, user },
    );
  }

  mayList(user: ReviewedUser, namespace: string): Promise<boolean> {
    this.accessCalls.push({ user: user.username, namespace });
    if (this.failure !== undefined) {
      return Promise.reject(this.failure);
    }

    return Promise.resolve(this.grants.has(`${user.username}/${namespace}`));
  }
}

function setup(): { reviews: FakeReviews; clock: { ms: number }; auth: KubernetesAuthenticator } {
  const reviews = new FakeReviews();
  const clock = { ms: 1000 };
  const auth = new KubernetesAuthenticator({
    reviews,
    audience: 'metadata-operator',
    ttlSeconds: TTL_SECONDS,
    maxEntries: 100,
    now: () => clock.ms,
  });
  return { reviews, clock, auth };
}

describe('KubernetesAuthenticator authenticate', () => {
  test('returns the reviewed user', async () => {
    const { auth, reviews } = setup();

    const result = await auth.authenticate('Bearer token-alice');

    assert.deepEqual(result, { authenticated: true, caller: ALICE });
    assert.deepEqual(reviews.tokenCalls, [{ token: 'token-alice', audience: 'metadata-operator' }]);
  });

  test('rejects an unknown token', async () => {
    const { auth } = setup();

    const result = await auth.authenticate('Bearer token-mallory');

    assert.deepEqual(result, { authenticated: false, reason: 'the token is not valid' });
  });

  test('rejects a malformed header without review', async () => {
    const { auth, reviews } = setup();

    const result = await auth.authenticate('Basic abc');

    assert.equal(result.authenticated, false);
    assert.equal(reviews.tokenCalls.length, 0);
  });

  test('reuses a review within the TTL', async () => {
    const { auth, reviews, clock } = setup();

    await auth.authenticate('Bearer token-alice');
    clock.ms += TTL_SECONDS * 1000 - 1;
    await auth.authenticate('Bearer token-alice');

    assert.equal(reviews.tokenCalls.length, 1);
  });

  test('reviews again after the TTL', async () => {
    const { auth, reviews, clock } = setup();

    await auth.authenticate('Bearer token-alice');
    reviews.users.clear();
    clock.ms += TTL_SECONDS * 1000 + 1;
    const result = await auth.authenticate('Bearer token-alice');

    assert.equal(reviews.tokenCalls.length, 2);
    assert.equal(result.authenticated, false);
  });

  test('shares one review between concurrent requests', async () => {
    const { auth, reviews } = setup();

    await Promise.all([
      auth.authenticate('Bearer token-alice'),
      auth.authenticate('Bearer token-alice'),
    ]);

    assert.equal(reviews.tokenCalls.length, 1);
  });

  test('does not cache a failed review', async () => {
    const { auth, reviews } = setup();
    reviews.failure = new Error('failed to create tokenreviews: connection refused');

    await assert.rejects(auth.authenticate('Bearer token-alice'), /connection refused/);
    reviews.failure = undefined;
    const result = await auth.authenticate('Bearer token-alice');

    assert.equal(result.authenticated, true);
    assert.equal(reviews.tokenCalls.length, 2);
  });
});

describe('KubernetesAuthenticator allowedNamespaces', () => {
  test('cluster-wide grant returns all', async () => {
    const { auth, reviews } = setup();
    reviews.grants.add('alice/');

    const scope = await auth.allowedNamespaces(ALICE, () => ['a', 'b']);

    assert.equal(scope, 'all');
    assert.deepEqual(reviews.accessCalls, [{ user: 'alice', namespace: '' }]);
  });

  test('returns the allowed candidates', async () => {
    const { auth, reviews } = setup();
    reviews.grants.add('alice/a').add('alice/c');

    const scope = await auth.allowedNamespaces(ALICE, () => ['a', 'b', 'c', 'a']);

    assert.deepEqual(scope === 'all' ? scope : [...scope].sort(), ['a', 'c']);
  });

  test('asks once per namespace and user', async () => {
    const { auth, reviews } = setup();
    reviews.grants.add('alice/a');

    await auth.allowedNamespaces(ALICE, () => ['a', 'b']);
    await auth.allowedNamespaces(ALICE, () => ['a', 'b']);

    assert.equal(reviews.accessCalls.length, 3);
  });

  test('revoked grant ends after the TTL', async () => {
    const { auth, reviews, clock } = setup();
    reviews.grants.add('alice/a');
    await auth.allowedNamespaces(ALICE, () => ['a']);

    reviews.grants.clear();
    const cached = await auth.allowedNamespaces(ALICE, () => ['a']);
    clock.ms += TTL_SECONDS * 1000 + 1;
    const expired = await auth.allowedNamespaces(ALICE, () => ['a']);

    assert.deepEqual(cached === 'all' ? cached : [...cached], ['a']);
    assert.deepEqual(expired === 'all' ? expired : [...expired], []);
  });

  test('keeps decisions apart per group set', async () => {
    const { auth, reviews } = setup();
    const admin: ReviewedUser = { ...ALICE, groups: ['dev', 'admins'] };
    reviews.grants.add('alice/');

    await auth.allowedNamespaces(ALICE, () => []);
    await auth.allowedNamespaces(admin, () => []);

    assert.equal(reviews.accessCalls.length, 2);
  });

  test('does not cache a failed review', async () => {
    const { auth, reviews } = setup();
    reviews.failure = new Error('failed to create subjectaccessreviews: HTTP 500');

    await assert.rejects(
      auth.allowedNamespaces(ALICE, () => ['a']),
      /HTTP 500/,
    );
    reviews.failure = undefined;
    reviews.grants.add('alice/');

    assert.equal(await auth.allowedNamespaces(ALICE, () => ['a']), 'all');
  });

  test('bounds concurrent reviews', async () => {
    const { auth, reviews } = setup();
    let running = 0;
    let peak = 0;
    const answer = reviews.mayList.bind(reviews);
    reviews.mayList = async (user, namespace) => {
      running += 1;
      peak = Math.max(peak, running);
      await Promise.resolve();
      running -= 1;
      return answer(user, namespace);
    };
    const namespaces = Array.from({ length: 3 * MAX_CONCURRENT_REVIEWS }, (_, i) => `ns-${i}`);

    await auth.allowedNamespaces(ALICE, () => namespaces);

    assert.equal(peak, MAX_CONCURRENT_REVIEWS);
  });
});

describe('userCacheKey', () => {
  test('ignores the order of groups', () => {
    const reordered: ReviewedUser = { ...ALICE, groups: ['b', 'a'] };
    assert.equal(userCacheKey(reordered), userCacheKey({ ...ALICE, groups: ['a', 'b'] }));
  });

  const variants: ReadonlyArray<readonly [string, ReviewedUser]> = [
    ['username', { ...ALICE, username: 'bob' }],
    ['uid', { ...ALICE, uid: 'u-2' }],
    ['groups', { ...ALICE, groups: ['ops'] }],
    ['extra', { ...ALICE, extra: { scopes: ['read'] } }],
  ];

  for (const [field, user] of variants) {
    test(`differs by ${field}`, () => {
      assert.notEqual(userCacheKey(user), userCacheKey(ALICE));
    });
  }
});
