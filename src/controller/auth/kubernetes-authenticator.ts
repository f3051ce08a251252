/**
 * The query endpoint's authenticator for `auth: kubernetes`. A request's bearer token is checked
 * with a TokenReview for the configured audience. Its user may then read the namespaces where a
 * SubjectAccessReview allows it to `list` ServiceMetadata, the check behind
 * `kubectl get smd -n <namespace>`.
 *
 * Decisions are cached in two LRU caches (`lru-cache`) whose entries expire after `ttlSeconds`:
 * token reviews keyed by the SHA-256 of the token (never the token itself), and access decisions
 * keyed by the user and the namespace. A revoked RoleBinding or token therefore takes effect within
 * `ttlSeconds`. Concurrent look-ups of one key share one review. A review that fails (the API
 * server cannot be reached or denies the review itself) rejects and is not cached.
 *
 * The cluster-wide question comes first: a user who may list ServiceMetadata in every namespace
 * costs one review. Any other user costs one review per namespace that contains objects, at most
 * `MAX_CONCURRENT_REVIEWS` at once, each cached.
 */
import { createHash } from 'node:crypto';

import { LRUCache } from 'lru-cache';

import type { AccessReviews, ReviewedUser, TokenReviewResult } from './access-reviews.ts';
import { parseBearerToken } from './bearer-token.ts';

/** Maximum number of SubjectAccessReviews that one request sends at once. */
export const MAX_CONCURRENT_REVIEWS = 16;

/** The namespace of a SubjectAccessReview about every namespace. */
const ALL_NAMESPACES = '';

/** Options of a `KubernetesAuthenticator`. */
export interface KubernetesAuthenticatorOptions {
  /** The reviews to send; `kubernetesAccessReviews` talks to the API server. */
  readonly reviews: AccessReviews;
  /** The audience that every token must be issued for, such as `metadata-operator`. */
  readonly audience: string;
  /** How long a token review or an access decision is reused, in seconds; at least 1. */
  readonly ttlSeconds: number;
  /** Maximum number of entries of each cache; at least 1. */
  readonly maxEntries: number;
  /** The clock of the TTLs, in milliseconds. Default: `performance.now`. */
  readonly now?: () => number;
}

/** The outcome of `authenticate`, shaped like the endpoint's `AuthenticationResult`. */
export type KubernetesAuthentication =
  | { readonly authenticated: true; readonly caller: ReviewedUser }
  | { readonly authenticated: false; readonly reason: string };

interface TokenContext {
  readonly token: string;
}

interface AccessContext {
  readonly user: ReviewedUser;
  readonly namespace: string;
}

/** Authenticates tokens with TokenReviews and authorizes namespaces with SubjectAccessReviews. */
export class KubernetesAuthenticator {
  readonly #tokens: LRUCache<string, TokenReviewResult, TokenContext>;
  readonly #access: LRUCache<string, boolean, AccessContext>;

  /** @throws RangeError when `ttlSeconds` or `maxEntries` is not a positive integer. */
  constructor(options: KubernetesAuthenticatorOptions) {
    checkPositiveInteger('authCacheTtlSeconds', options.ttlSeconds);
    checkPositiveInteger('authCacheMaxEntries', options.maxEntries);

    const { reviews, audience } = options;
    const common = {
      max: options.maxEntries,
      ttl: options.ttlSeconds * 1000,
      // Read the clock on every look-up instead of once per millisecond timer, so that an
      // injected clock takes effect at once.
      ttlResolution: 0,
      ...(options.now === undefined ? {} : { perf: { now: options.now } }),
    };
    this.#tokens = new LRUCache<string, TokenReviewResult, TokenContext>({
      ...common,
      fetchMethod: (_key, _stale, { context }) => reviews.reviewToken(context.token, audience),
    });
    this.#access = new LRUCache<string, boolean, AccessContext>({
      ...common,
      fetchMethod: (_key, _stale, { context }) => reviews.mayList(context.user, context.namespace),
    });
  }

  /**
   * Checks an `Authorization: Bearer <token>` header. A missing or malformed header is rejected
   * without any review.
   *
   * @throws Error when the TokenReview fails.
   */
  async authenticate(authorization: string | undefined): Promise<KubernetesAuthentication> {
    const bearer = parseBearerToken(authorization);
    if ('reason' in bearer) {
      return { authenticated: false, reason: bearer.reason };
    }

    const key = sha256(bearer.token);
    const review = await this.#tokens.fetch(key, { context: { token: bearer.token } });
    if (review === undefined) {
      throw new Error('failed to create tokenreviews: the review returned no result');
    }

    return review.authenticated
      ? { authenticated: true, caller: review.user }
      : { authenticated: false, reason: review.reason };
  }

  /**
   * Returns `all` when `caller` may list ServiceMetadata in every namespace, else the namespaces
   * of `candidates` where it may.
   *
   * @throws Error when a SubjectAccessReview fails.
   */
  async allowedNamespaces(
    caller: ReviewedUser,
    candidates: () => Iterable<string>,
  ): Promise<'all' | ReadonlySet<string>> {
    const userKey = userCacheKey(caller);
    if (await this.#mayList(caller, userKey, ALL_NAMESPACES)) {
      return 'all';
    }

    // The candidates may be a live view of the index, so they are copied before the first wait.
    const namespaces = [...new Set(candidates())].filter((namespace) => namespace !== '');
    const allowed = new Set<string>();
    for (let start = 0; start < namespaces.length; start += MAX_CONCURRENT_REVIEWS) {
      const batch = namespaces.slice(start, start + MAX_CONCURRENT_REVIEWS);
      const verdicts = await Promise.all(
        batch.map((namespace) => this.#mayList(caller, userKey, namespace)),
      );
      batch.forEach((namespace, index) => {
        if (verdicts[index] === true) {
          allowed.add(namespace);
        }
      });
    }

    return allowed;
  }

  async #mayList(user: ReviewedUser, userKey: string, namespace: string): Promise<boolean> {
    const key = `${userKey}/${namespace}`;
    const allowed = await this.#access.fetch(key, { context: { user, namespace } });
    return allowed === true;
  }
}

/**
 * Returns the cache key of a user: a SHA-256 over every attribute that a SubjectAccessReview
 * reads, so two tokens of one user share decisions only when their groups and extra agree too.
 */
export function userCacheKey(user: ReviewedUser): string {
  const extra = Object.keys(user.extra)
    .sort()
    .map((name) => [name, [...(user.extra[name] ?? [])].sort()]);
  return sha256(JSON.stringify([user.username, user.uid ?? null, [...user.groups].sort(), extra]));
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function checkPositiveInteger(option: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`invalid ${option} ${value}: must be a positive integer`);
  }
}
