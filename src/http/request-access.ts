/**
 * Authentication and authorization of the query routes. The server authenticates each query
 * request before its handler runs. A handler then narrows its query to the namespaces that the
 * caller may list, with `scopeQuery`, before it plans, caches, tracks or watches it.
 *
 * Narrowing rewrites `namespaces` of the query, so everything keyed by the normalized query (the
 * result cache, the result versions of `waitForChange`, a watch stream's filter) is keyed by the
 * caller's namespace set as well. Two callers share a cache entry only when their narrowed queries
 * are equal, and then their results are equal too.
 */
import { GROUP, SERVICE_METADATA_PLURAL } from '../api/types.ts';
import type { Logger } from '../observability/logger.ts';
import type { ServiceQuery } from '../query/model.ts';
import type { Authenticator, Caller, NamespaceScope } from './authenticator.ts';
import { quoteValue, serviceUnavailable, StatusError } from './status.ts';

/**
 * The namespace of a narrowed query when the caller may list no namespace that contains objects.
 * No Kubernetes object has an empty namespace, so the query matches nothing.
 */
export const NO_NAMESPACE = '';

/** The verb that a caller needs on `servicemetadatas` to read them through the endpoint. */
export const REQUIRED_VERB = 'list';

/** The `WWW-Authenticate` challenge of a 401: the endpoint accepts bearer tokens only. */
export const BEARER_CHALLENGE = 'Bearer';

const CHECK_FAILED =
  'failed to check the request with the API server; retry later, and tell the operator ' +
  'administrator when it persists';

/**
 * Authenticates the `Authorization` header of a query request.
 *
 * @throws StatusError 401 `Unauthorized` with `WWW-Authenticate: Bearer` when the credential is
 *   missing, malformed or rejected, and 503 `ServiceUnavailable` when the check itself failed.
 */
export async function authenticateRequest(
  authenticator: Authenticator,
  authorization: string | undefined,
  logger: Logger,
): Promise<Caller> {
  const result = await checked(logger, 'authenticate', () =>
    authenticator.authenticate(authorization),
  );
  if (!result.authenticated) {
    const challenge = { 'WWW-Authenticate': BEARER_CHALLENGE };
    throw new StatusError(
      401,
      'Unauthorized',
      `Unauthorized: ${result.reason}`,
      undefined,
      challenge,
    );
  }

  return result.caller;
}

/**
 * Narrows `query` to the namespaces that `caller` may list. A query that names namespaces keeps
 * them when the caller may list each one. A query without namespaces gets every namespace of the
 * index that the caller may list, or stays unchanged when the caller may list all namespaces.
 *
 * @throws StatusError 403 `Forbidden` naming the user and the first namespace that the caller
 *   may not list, and 503 `ServiceUnavailable` when the check failed.
 */
export async function scopeQuery(
  authenticator: Authenticator,
  caller: Caller,
  query: ServiceQuery,
  namespacesInIndex: () => Iterable<string>,
  logger: Logger,
): Promise<ServiceQuery> {
  if (query.namespaces.length > 0) {
    await checkNamespaces(authenticator, caller, query.namespaces, logger);
    return query;
  }

  const scope = await checked(logger, 'authorize', () =>
    authenticator.allowedNamespaces(caller, namespacesInIndex),
  );
  if (scope === 'all') {
    return query;
  }

  const namespaces = scope.size === 0 ? [NO_NAMESPACE] : [...scope].sort();
  return { ...query, namespaces };
}

/**
 * Checks that `caller` may list every namespace in `namespaces`, one at a time, and stops at the
 * first one it may not list, so that a request naming many namespaces costs one denied review.
 *
 * @throws StatusError 403 `Forbidden` naming the user and the first denied namespace, and 503
 *   `ServiceUnavailable` when the check failed.
 */
export async function checkNamespaces(
  authenticator: Authenticator,
  caller: Caller,
  namespaces: readonly string[],
  logger: Logger,
): Promise<void> {
  for (const namespace of namespaces) {
    const scope: NamespaceScope = await checked(logger, 'authorize', () =>
      authenticator.allowedNamespaces(caller, () => [namespace]),
    );
    if (scope === 'all') {
      return;
    }
    if (!scope.has(namespace)) {
      throw forbidden(caller, namespace);
    }
  }
}

/** Creates the 403 of a caller that may not list ServiceMetadata in `namespace`. */
export function forbidden(caller: Caller, namespace: string): StatusError {
  const resource = `${SERVICE_METADATA_PLURAL}.${GROUP}`;
  const message =
    `${resource} is forbidden: User ${quoteValue(caller.username)} cannot ${REQUIRED_VERB} ` +
    `resource "${SERVICE_METADATA_PLURAL}" in API group "${GROUP}" in the namespace ` +
    quoteValue(namespace);
  return new StatusError(403, 'Forbidden', message, {
    group: GROUP,
    kind: SERVICE_METADATA_PLURAL,
  });
}

/** Runs a check of the authenticator, turning its failure into a logged 503. */
async function checked<T>(logger: Logger, step: string, check: () => Promise<T>): Promise<T> {
  try {
    return await check();
  } catch (error) {
    // NOTE: every failed request logs one line, so an API server outage logs once per request.
    logger.warn({ err: error, step }, 'failed to check a request');
    throw serviceUnavailable(CHECK_FAILED);
  }
}
