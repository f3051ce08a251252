/**
 * The `MetadataQuery` and `ClusterMetadataQuery` resources: a saved query whose status the
 * operator keeps equal to its current result. Their spec is the query model of src/query plus
 * `maxResults`, which bounds the matches copied into the status, so that the object stays far
 * below etcd's request limit of 1.5 MiB.
 *
 * A `MetadataQuery` searches its own namespace only; one that names `namespaces` is invalid. A
 * `ClusterMetadataQuery` searches every namespace, or those it names, and so reveals metadata of
 * all namespaces to whoever can read it: only cluster administrators should be able to create it.
 */
import { z } from 'zod';
import { QueryError } from '../query/errors.ts';
import { compileQuery, type CompiledQuery } from '../query/matcher.ts';
import { serviceQuerySchema, type ServiceQuery } from '../query/model.ts';
import type { Condition } from './types.ts';
import { describeValue, formatSpecPath, valueAtPath } from './validation-message.ts';

export const METADATA_QUERY_KIND = 'MetadataQuery';
export const METADATA_QUERY_PLURAL = 'metadataqueries';
export const CLUSTER_METADATA_QUERY_KIND = 'ClusterMetadataQuery';
export const CLUSTER_METADATA_QUERY_PLURAL = 'clustermetadataqueries';

/** The default of `spec.maxResults`. */
export const MAX_RESULTS_DEFAULT = 100;

/** The hard cap of `spec.maxResults`, which the CRD enforces as well. */
export const MAX_RESULTS_CAP = 500;

/** One match as the status lists it. */
export interface QueryMatch {
  namespace: string;
  name: string;
  service: string;
  version: string;
  environment: string;
  region: string;
}

/** The status of a query resource. */
export interface MetadataQueryStatus {
  observedGeneration?: number;
  /** Number of all matches. */
  matchCount?: number;
  /** The first `maxResults` matches, in the query's sort order. */
  matches?: QueryMatch[];
  /** Whether more matches exist than `matches` lists. */
  truncated?: boolean;
  /** The resourceVersion of the watch event that last changed the result. */
  resultResourceVersion?: string;
  /** When the result last changed, RFC 3339. */
  lastChangeTime?: string;
  conditions?: Condition[];
}

/** A query resource as the reflector stores it. */
export interface MetadataQueryObject {
  apiVersion: string;
  kind: string;
  metadata: {
    namespace: string;
    name: string;
    uid: string;
    resourceVersion: string;
    generation: number;
  };
  spec: unknown;
  status?: MetadataQueryStatus;
}

/** The zod schema of a query resource's spec. */
export const metadataQuerySpecSchema = serviceQuerySchema.extend({
  maxResults: z.number().int().min(1).max(MAX_RESULTS_CAP).default(MAX_RESULTS_DEFAULT),
});

/** A validated query resource: the query to run, compiled, and how many matches to list. */
export interface ValidQuerySpec {
  readonly valid: true;
  readonly query: ServiceQuery;
  readonly compiled: CompiledQuery;
  readonly maxResults: number;
}

/** The result of `validateQuerySpec`. */
export type QuerySpecResult =
  | ValidQuerySpec
  | { readonly valid: false; readonly reason: 'InvalidValue'; readonly message: string };

/**
 * Validates the spec of a query resource and compiles its query. A `MetadataQuery` (when
 * `namespace` is given) is confined to that namespace, and naming `namespaces` makes it invalid.
 * Every invalid input becomes a result whose message names the field, the value and the rule;
 * an exception other than `QueryError` from the query layer would be a bug and is rethrown.
 */
export function validateQuerySpec(spec: unknown, namespace?: string): QuerySpecResult {
  const parsed = metadataQuerySpecSchema.safeParse(spec ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = (issue?.path ?? []).filter((segment) => typeof segment !== 'symbol');
    const value = describeValue(valueAtPath(spec, path));
    const rule = issue?.message ?? 'invalid';
    return invalid(`${formatSpecPath(path)}: invalid value ${value}: ${rule}`);
  }

  const { maxResults, ...query } = parsed.data;
  const namesNamespaces =
    typeof spec === 'object' && spec !== null && Object.hasOwn(spec, 'namespaces');
  if (namespace !== undefined && namesNamespaces) {
    return invalid(
      `spec.namespaces: a MetadataQuery searches only its own namespace ${JSON.stringify(namespace)}; ` +
        'use a ClusterMetadataQuery to search other namespaces',
    );
  }
  const confined: ServiceQuery =
    namespace === undefined ? query : { ...query, namespaces: [namespace] };

  try {
    return { valid: true, query: confined, compiled: compileQuery(confined), maxResults };
  } catch (err) {
    if (err instanceof QueryError) {
      return invalid(`spec.${err.field}: ${err.message}`);
    }
    throw err;
  }
}

function invalid(message: string): QuerySpecResult {
  return { valid: false, reason: 'InvalidValue', message };
}
