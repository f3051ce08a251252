/**
 * The query model: what a caller may ask of the index, shared by the HTTP endpoint and the
 * `MetadataQuery` and `ClusterMetadataQuery` resources. Every field is optional; a missing field
 * does not restrict the result. Within one set the values are alternatives (OR); the fields
 * combine with AND.
 */
import { z } from 'zod';

const values = z.array(z.string()).default([]);

/** A set condition on one scalar field: the value must be in `in` (when given) and not in `notIn`. */
export const setConditionSchema = z.strictObject({ in: values, notIn: values }).default({
  in: [],
  notIn: [],
});

/** The zod schema of a query, before its values were checked against the index's rules. */
export const serviceQuerySchema = z.strictObject({
  /** Objects in any of these namespaces. */
  namespaces: values,
  /** Objects whose `spec.service` equals any of these names. */
  services: values,
  /** Tag conditions: every tag of `all`, at least one of `any`, none of `none`. */
  tags: z.strictObject({ all: values, any: values, none: values }).default({
    all: [],
    any: [],
    none: [],
  }),
  environments: setConditionSchema,
  regions: setConditionSchema,
  /** A node-semver range such as `>=2.0.0 <3.0.0` or `^1.4`; absent matches every version. */
  version: z.string().optional(),
  /** Whether pre-release versions match a range like releases do. Default: false. */
  includePrerelease: z.boolean().default(false),
  /**
   * A Kubernetes label selector over `spec.attributes`, with the grammar and meaning of
   * `kubectl get -l`, plus double-quoted values for characters that label values cannot hold.
   */
  selector: z.string().optional(),
  /** `name` (namespace, then name; the default) or `version` (newest first). */
  sort: z.enum(['name', 'version']).default('name'),
});

/** A query after defaults were applied. */
export type ServiceQuery = z.output<typeof serviceQuerySchema>;

/** A query as a caller writes it, with every field optional. */
export type ServiceQueryInput = z.input<typeof serviceQuerySchema>;
