/**
 * TypeScript types of the custom resources, mirroring `crds/`. The zod schemas that validate them
 * live beside these types; the CRD and the schemas are compared by a unit test so neither drifts.
 */

export const GROUP = 'mesh.datapunk.io';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;
export const SERVICE_METADATA_KIND = 'ServiceMetadata';
export const SERVICE_METADATA_PLURAL = 'servicemetadatas';

/** One network endpoint that a service exposes. */
export interface Endpoint {
  name: string;
  url: string;
}

/** The desired state that a team declares for one service. */
export interface ServiceMetadataSpec {
  service: string;
  version: string;
  environment: string;
  region: string;
  tags?: string[];
  attributes?: Record<string, string>;
  owner?: string;
  description?: string;
  endpoints?: Endpoint[];
}

/** The `metav1.Condition` shape, which kubectl, Argo CD and Flux read. */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

/** What the operator reports about one object. */
export interface ServiceMetadataStatus {
  observedGeneration?: number;
  conditions?: Condition[];
}

/** The object metadata fields that the operator reads. */
export interface ObjectMeta {
  namespace: string;
  name: string;
  uid: string;
  resourceVersion: string;
  generation: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
}

/**
 * A `ServiceMetadata` object as the reflector stores it: `managedFields`, annotations, labels and
 * any other field that the operator never reads are removed. The spec is untrusted until validated.
 */
export interface ServiceMetadata {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec: unknown;
  status?: ServiceMetadataStatus;
}
