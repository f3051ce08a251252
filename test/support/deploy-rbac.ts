/**
 * The deploy RBAC on a test control plane. It installs the operator's ServiceAccount and roles from
 * `deploy/`, writes a kubeconfig with only a token of that ServiceAccount, and applies copies of
 * the roles with one verb removed, to show that the operator needs each verb that it is granted.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { ControlPlaneInfo } from './control-plane.ts';
import { ROOT, apply, createNamespaces } from './fixtures.ts';
import { kubectl, kubectlOk } from './kubectl.ts';
import { waitFor } from './wait.ts';

/** The namespace of the operator's ServiceAccount, Role and Lease in the deploy manifests. */
export const OPERATOR_NAMESPACE = 'metadata-system';

/** The operator's ServiceAccount, as `kubectl auth can-i --as` names it. */
export const SERVICE_ACCOUNT_USER = `system:serviceaccount:${OPERATOR_NAMESPACE}:metadata-operator`;

const RBAC_PATH = `${ROOT}deploy/rbac.yaml`;

/** One rule of a ClusterRole or Role. */
export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

/** A ClusterRole or Role manifest, as `deploy/rbac.yaml` contains it. */
export interface RoleManifest {
  apiVersion: string;
  kind: 'ClusterRole' | 'Role';
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  rules: PolicyRule[];
}

/** One grant of a role: a verb on one resource of one rule. */
export interface Grant {
  readonly role: RoleManifest;
  readonly ruleIndex: number;
  readonly apiGroup: string;
  readonly resource: string;
  readonly verb: string;
}

/** Applies the ServiceAccount and the roles of `deploy/` in the operator's namespace. */
export async function installDeployRbac(plane: ControlPlaneInfo): Promise<void> {
  await createNamespaces(plane, [OPERATOR_NAMESPACE]);
  for (const file of ['service-account.yaml', 'rbac.yaml']) {
    await kubectlOk(plane, ['apply', '-n', OPERATOR_NAMESPACE, '-f', `${ROOT}deploy/${file}`]);
  }
}

/**
 * Creates a one-hour token for the operator's ServiceAccount with the TokenRequest API and writes
 * a kubeconfig with only that token into `dir`. The server and the certificate bundle are those of
 * the administrator's kubeconfig. Returns the kubeconfig's path.
 */
export async function serviceAccountKubeconfig(
  plane: ControlPlaneInfo,
  dir: string,
): Promise<string> {
  const token = await kubectlOk(plane, [
    'create',
    'token',
    'metadata-operator',
    '-n',
    OPERATOR_NAMESPACE,
    '--duration=1h',
  ]);
  const config = JSON.parse(await readFile(plane.adminKubeconfig, 'utf8')) as {
    users: unknown[];
    contexts: { context: { user: string } }[];
  };
  config.users = [{ name: 'metadata-operator', user: { token: token.trim() } }];
  for (const context of config.contexts) {
    context.context.user = 'metadata-operator';
  }
  const path = join(dir, 'service-account.kubeconfig');
  await writeFile(path, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  return path;
}

/** Reads the ClusterRole and the Role from `deploy/rbac.yaml`. */
export async function readDeployRoles(): Promise<RoleManifest[]> {
  const text = await readFile(RBAC_PATH, 'utf8');
  return parseAllDocuments(text)
    .map((document) => document.toJS() as RoleManifest | null)
    .filter(
      (object): object is RoleManifest => object?.kind === 'ClusterRole' || object?.kind === 'Role',
    );
}

/** Lists every grant of the roles: each verb on each resource of each rule. */
export function grantsOf(roles: readonly RoleManifest[]): Grant[] {
  return roles.flatMap((role) =>
    role.rules.flatMap((rule, ruleIndex) =>
      rule.resources.flatMap((resource) =>
        rule.verbs.map((verb) => ({
          role,
          ruleIndex,
          apiGroup: rule.apiGroups[0] ?? '',
          resource,
          verb,
        })),
      ),
    ),
  );
}

/**
 * Returns a copy of the grant's role, under the same name, without the grant: its rule is split
 * into the other resources with every verb and the grant's resource with the other verbs.
 */
export function withoutGrant(grant: Grant): RoleManifest {
  const rules = grant.role.rules.flatMap((rule, index) => {
    if (index !== grant.ruleIndex) {
      return [rule];
    }
    const others = rule.resources.filter((resource) => resource !== grant.resource);
    const verbs = rule.verbs.filter((verb) => verb !== grant.verb);
    return [
      ...(others.length > 0 ? [{ ...rule, resources: others }] : []),
      ...(verbs.length > 0 ? [{ ...rule, resources: [grant.resource], verbs }] : []),
    ];
  });
  const namespace = grant.role.kind === 'Role' ? { namespace: OPERATOR_NAMESPACE } : {};
  return { ...grant.role, metadata: { ...grant.role.metadata, ...namespace }, rules };
}

/** Returns whether the operator's ServiceAccount may use the grant, by `kubectl auth can-i`. */
async function allowed(plane: ControlPlaneInfo, grant: Grant): Promise<boolean> {
  const group = grant.apiGroup === '' ? '' : `.${grant.apiGroup}`;
  const [resource, subresource] = grant.resource.split('/');
  const args = ['auth', 'can-i', grant.verb, `${resource ?? ''}${group}`];
  if (subresource !== undefined) {
    args.push(`--subresource=${subresource}`);
  }
  args.push(`--as=${SERVICE_ACCOUNT_USER}`, '-n', OPERATOR_NAMESPACE);
  const result = await kubectl(plane, args);
  return result.stdout.trim() === 'yes';
}

/** Applies the role without the grant and waits until the API server denies the grant. */
export async function revokeGrant(plane: ControlPlaneInfo, grant: Grant): Promise<void> {
  await apply(plane, [withoutGrant(grant)]);
  await waitFor(`the API server to deny ${grant.verb} ${grant.resource}`, async () => {
    return !(await allowed(plane, grant));
  });
}

/** Applies `deploy/rbac.yaml` again and waits until the API server allows the grant again. */
export async function restoreGrant(plane: ControlPlaneInfo, grant: Grant): Promise<void> {
  await kubectlOk(plane, ['apply', '-n', OPERATOR_NAMESPACE, '-f', RBAC_PATH]);
  await waitFor(`the API server to allow ${grant.verb} ${grant.resource}`, () =>
    allowed(plane, grant),
  );
}
