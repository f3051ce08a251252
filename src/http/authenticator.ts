/**
 * The interface through which the query endpoint authenticates a request and learns which
 * namespaces its caller may read. The endpoint never talks to the API server itself: `main.ts`
 * passes an implementation from the controller layer (TokenReview and SubjectAccessReview), or
 * `ALLOW_ALL` when authentication is off.
 */

/** The user behind a request, as a TokenReview reports it. */
export interface Caller {
  readonly username: string;
  readonly uid?: string;
  readonly groups: readonly string[];
  readonly extra: Readonly<Record<string, readonly string[]>>;
}

/** The outcome of checking a request's credentials. */
export type AuthenticationResult =
  | { readonly authenticated: true; readonly caller: Caller }
  | {
      readonly authenticated: false;
      /**
       * The reason for the rejection, safe to send to the client because it never contains the
       * token.
       */
      readonly reason: string;
    };

/** The namespaces whose objects a caller may read: `all`, or exactly the listed ones. */
export type NamespaceScope = 'all' | ReadonlySet<string>;

/**
 * Checks the credentials of a request and what its caller may read. Each method may reject
 * with any error when it cannot reach its source of truth; the endpoint then responds with 503.
 */
export interface Authenticator {
  /**
   * Checks the `Authorization` header of a request, undefined when the request has none.
   * Resolves `authenticated: false` for a missing, malformed or rejected credential.
   */
  authenticate(authorization: string | undefined): Promise<AuthenticationResult>;
  /**
   * Returns `all` when the caller may list ServiceMetadata in every namespace; else the subset of
   * `candidates` in which it may list them. `candidates` is read only when needed.
   */
  allowedNamespaces(caller: Caller, candidates: () => Iterable<string>): Promise<NamespaceScope>;
}

/** The user that `ALLOW_ALL` reports for every request. */
export const ANONYMOUS_CALLER: Caller = { username: 'system:anonymous', groups: [], extra: {} };

/** The authenticator of `auth: none`: every request is accepted and may read every namespace. */
export const ALLOW_ALL: Authenticator = {
  authenticate: () => Promise.resolve({ authenticated: true, caller: ANONYMOUS_CALLER }),
  allowedNamespaces: () => Promise.resolve('all'),
};
