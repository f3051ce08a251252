import type { StaticUser } from './control-plane.ts';

/**
 * Returns a kubeconfig, as JSON (which every YAML reader accepts), for one user of the test
 * control plane, trusting the certificate bundle that kube-apiserver serves.
 */
export function kubeconfigFor(server: string, ca: Buffer, user: StaticUser): string {
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name: 'local', cluster: { server, 'certificate-authority-data': ca.toString('base64') } },
    ],
    users: [{ name: user.name, user: { token: user.token } }],
    contexts: [{ name: 'local', context: { cluster: 'local', user: user.name } }],
    'current-context': 'local',
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}
