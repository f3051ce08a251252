/**
 * The two reviews that the query endpoint's authorization relies on, sent to the API server:
 * a TokenReview (authentication.k8s.io/v1) that authenticates a caller's token for one audience,
 * and a SubjectAccessReview (authorization.k8s.io/v1) that checks whether that user may list
 * ServiceMetadata in a namespace, or in every namespace.
 */
import { AuthenticationV1Api, AuthorizationV1Api, type KubeConfig } from '@kubernetes/client-node';

import { GROUP, SERVICE_METADATA_PLURAL } from '../../api/types.ts';
import { describeApiError } from '../errors.ts';

/** A user as a TokenReview reports it, and as a SubjectAccessReview takes it. */
export interface ReviewedUser {
  readonly username: string;
  readonly uid?: string;
  readonly groups: readonly string[];
  readonly extra: Readonly<Record<string, readonly string[]>>;
}

/** The outcome of a TokenReview: the user, or why the token was rejected. */
export type TokenReviewResult =
  | { readonly authenticated: true; readonly user: ReviewedUser }
  | { readonly authenticated: false; readonly reason: string };

/** The reviews that `KubernetesAuthenticator` sends; a fake replaces them in unit tests. */
export interface AccessReviews {
  /**
   * Authenticates `token` for `audience`. The token is accepted only when the API server reports
   * it authenticated and lists `audience` among the token's audiences.
   *
   * @throws Error when the API server cannot be reached or rejects the review itself.
   */
  reviewToken(token: string, audience: string): Promise<TokenReviewResult>;
  /**
   * Returns whether `user` may list ServiceMetadata in `namespace`; an empty namespace checks
   * every namespace, as `kubectl get smd -A` needs.
   *
   * @throws Error when the API server cannot be reached or rejects the review itself.
   */
  mayList(user: ReviewedUser, namespace: string): Promise<boolean>;
}

/** The verb that a SubjectAccessReview checks: the one behind `kubectl get smd`. */
const LIST_VERB = 'list';

/** Creates the reviews that talk to the API server of `kubeConfig`. */
export function kubernetesAccessReviews(kubeConfig: KubeConfig): AccessReviews {
  const authentication = kubeConfig.makeApiClient(AuthenticationV1Api);
  const authorization = kubeConfig.makeApiClient(AuthorizationV1Api);

  return {
    reviewToken: async (token, audience) => {
      const body = { spec: { token, audiences: [audience] } };
      const review = await withDescription('create tokenreviews', () =>
        authentication.createTokenReview({ body }),
      );
      const status = review.status;
      if (status?.authenticated !== true || status.user?.username === undefined) {
        // The API server's error text describes the token only, never repeats it.
        return { authenticated: false, reason: status?.error ?? 'the token is not valid' };
      }

      if (!(status.audiences ?? []).includes(audience)) {
        return { authenticated: false, reason: `the token is not issued for audience ${audience}` };
      }

      const { username, uid, groups, extra } = status.user;
      const user = { username, groups: groups ?? [], extra: extra ?? {} };
      return { authenticated: true, user: uid === undefined ? user : { ...user, uid } };
    },
    mayList: async (user, namespace) => {
      const body = {
        spec: {
          user: user.username,
          ...(user.uid === undefined ? {} : { uid: user.uid }),
          groups: [...user.groups],
          extra: Object.fromEntries(Object.entries(user.extra).map(([k, v]) => [k, [...v]])),
          resourceAttributes: {
            namespace,
            verb: LIST_VERB,
            group: GROUP,
            resource: SERVICE_METADATA_PLURAL,
          },
        },
      };
      const review = await withDescription('create subjectaccessreviews', () =>
        authorization.createSubjectAccessReview({ body }),
      );
      return review.status?.allowed === true && review.status.denied !== true;
    },
  };
}

/**
 * Runs a request, replacing its error with one whose message names the action and the API
 * server's message. The original is not kept as `cause`: a client error can carry the request,
 * and the request of a TokenReview contains the caller's token, which must never reach a log.
 */
async function withDescription<T>(action: string, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    // eslint-disable-next-line preserve-caught-error -- the cause may carry the caller's token.
    throw new Error(describeApiError(error, action));
  }
}
