/**
 * Shared steps of the integration tests: installing the CRD, creating namespaces, and building
 * and reading `ServiceMetadata` objects through kubectl, the way a user would.
 */
import { fileURLToPath } from 'node:url';
import type { ControlPlaneInfo } from './control-plane.ts';
import { kubectlOk } from './kubectl.ts';

/** The repository's root folder. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Installs the CRDs from `crds/` and waits until the API server serves them. */
export async function installCrd(plane: ControlPlaneInfo): Promise<void> {
  await kubectlOk(plane, ['apply', '-k', `${ROOT}crds`]);
  await kubectlOk(plane, [
    'wait',
    '--for=condition=Established',
    'crd/servicemetadatas.mesh.datapunk.io',
    'crd/metadataqueries.mesh.datapunk.io',
    'crd/clustermetadataqueries.mesh.datapunk.io',
    '--timeout=60s',
  ]);
}

/** Creates namespaces, ignoring those that exist. */
export async function createNamespaces(
  plane: ControlPlaneInfo,
  names: readonly string[],
): Promise<void> {
  const manifests = names.map((name) => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name },
  }));
  await kubectlOk(
    plane,
    ['apply', '-f', '-'],
    JSON.stringify({ apiVersion: 'v1', kind: 'List', items: manifests }),
  );
}

/** The spec fields that tests set. */
export interface TestSpec {
  service?: string;
  version?: string;
  environment?: string;
  region?: string;
  tags?: string[];
  attributes?: Record<string, string>;
}

/** Returns a `ServiceMetadata` manifest with defaults for the fields not given. */
export function serviceMetadata(namespace: string, name: string, spec: TestSpec = {}): object {
  return {
    apiVersion: 'mesh.datapunk.io/v1alpha1',
    kind: 'ServiceMetadata',
    metadata: { namespace, name },
    spec: {
      service: spec.service ?? name,
      version: spec.version ?? '1.0.0',
      environment: spec.environment ?? 'production',
      region: spec.region ?? 'eu-west',
      tags: spec.tags ?? [],
      attributes: spec.attributes ?? {},
    },
  };
}

/** Applies manifests with `kubectl apply`. */
export async function apply(plane: ControlPlaneInfo, manifests: readonly object[]): Promise<void> {
  await kubectlOk(
    plane,
    ['apply', '-f', '-'],
    JSON.stringify({ apiVersion: 'v1', kind: 'List', items: manifests }),
  );
}

/** The parts of a stored object that tests read. */
export interface StoredServiceMetadata {
  metadata: {
    name: string;
    namespace: string;
    uid: string;
    generation: number;
    resourceVersion: string;
  };
  status?: {
    observedGeneration?: number;
    conditions?: {
      type: string;
      status: string;
      reason: string;
      message: string;
      lastTransitionTime: string;
    }[];
  };
}

/** Reads one object with kubectl. */
export async function getServiceMetadata(
  plane: ControlPlaneInfo,
  namespace: string,
  name: string,
): Promise<StoredServiceMetadata> {
  const output = await kubectlOk(plane, ['get', 'smd', '-n', namespace, name, '-o', 'json']);
  return JSON.parse(output) as StoredServiceMetadata;
}

/** Returns the condition of a type, if present. */
export function condition(object: StoredServiceMetadata, type: string) {
  return object.status?.conditions?.find((candidate) => candidate.type === type);
}

/** The query endpoint's response body. */
export interface QueryResponse {
  resourceVersion: string;
  total: number;
  items: { namespace: string; name: string; uid: string; tags: string[]; version: string }[];
}

/**
 * Sends a query to the operator with the given request headers and returns the parsed body;
 * throws unless the status is 200.
 */
export async function query(
  baseUrl: string,
  search: string,
  headers: Record<string, string> = {},
): Promise<QueryResponse> {
  const response = await fetch(`${baseUrl}/v1/services?${search}`, { headers });
  if (response.status !== 200) {
    throw new Error(`query ${search} returned ${response.status}: ${await response.text()}`);
  }
  return (await response.json()) as QueryResponse;
}

/** Returns the `namespace/name` of each item. */
export function names(response: QueryResponse): string[] {
  return response.items.map((item) => `${item.namespace}/${item.name}`);
}
