/**
 * `make dev`: starts a local control plane, installs the CRD and the examples, and runs the
 * operator against it in the foreground until Ctrl-C, which stops everything and removes the
 * control plane's folder.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ControlPlane } from '../test/support/control-plane.ts';
import { kubectlOk } from '../test/support/kubectl.ts';
import { startProcess, stopProcess } from '../test/support/processes.ts';
import { waitFor } from '../test/support/wait.ts';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const port = process.env.METADATA_HTTP_PORT ?? '8080';
const kubeconfig = resolve(root, '.dev', 'kubeconfig');

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

say('starting a local control plane (etcd, kube-apiserver, kube-controller-manager)');
const plane = await ControlPlane.start();
await mkdir(resolve(root, '.dev'), { recursive: true });
await copyFile(plane.adminKubeconfig, kubeconfig);

say('installing the CRD and the examples');
await kubectlOk(plane, ['apply', '-k', resolve(root, 'crds')]);
await kubectlOk(plane, [
  'wait',
  '--for=condition=Established',
  'crd/servicemetadatas.mesh.datapunk.io',
  '--timeout=60s',
]);
await kubectlOk(plane, ['apply', '-f', resolve(root, 'examples')]);

const operator = startProcess(
  'metadata-operator',
  process.execPath,
  [resolve(root, 'src/main.ts')],
  '/dev/stdout',
  {
    ...process.env,
    METADATA_KUBECONFIG: plane.operatorKubeconfig,
    METADATA_HTTP_PORT: port,
  },
);

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) {
    return;
  }
  stopping = true;
  say('\nstopping the operator and the control plane');
  await stopProcess(operator);
  await plane.stop();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
void operator.exited.then((code) => {
  if (!stopping) {
    say(`the operator exited with code ${code}`);
    void shutdown();
  }
});

await waitFor('the operator to report ready', async () => {
  const response = await fetch(`http://127.0.0.1:${port}/readyz`);
  return response.status === 200;
});

const base = `http://localhost:${port}`;
say(`
The operator is ready. Try:

  curl '${base}/v1/services?tag=critical&environment=production&version=>=2.0.0'
  curl '${base}/v1/services?namespace=payments&region=eu-west'
  curl '${base}/v1/services/payments/payment-gateway-prod-eu'

  kubectl --kubeconfig ${kubeconfig} get smd -A

Press Ctrl-C to stop the operator and the control plane.
`);
