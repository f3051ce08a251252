/**
 * The query model: what a caller may ask of the index. Each list is a set of accepted values; an
 * empty or absent list does not restrict the result.
 */
import { z } from 'zod';

/** The zod schema of a query after its parameters were read. */
export const serviceQuerySchema = z.strictObject({
  /** Match objects in any of these namespaces. */
  namespaces: z.array(z.string()).default([]),
  /** Match objects whose service equals any of these names. */
  services: z.array(z.string()).default([]),
  /** Match objects in any of these environments. */
  environments: z.array(z.string()).default([]),
  /** Match objects in any of these regions. */
  regions: z.array(z.string()).default([]),
  /** Match objects that carry every one of these tags. */
  tags: z.array(z.string()).default([]),
  /** A node-semver range such as `>=2.0.0 <3.0.0` or `^1.4`; absent matches every version. */
  version: z.string().optional(),
});

/** A query after its parameters were read and defaulted. */
export type ServiceQuery = z.infer<typeof serviceQuerySchema>;
