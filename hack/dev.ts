/**
 * `make dev`: starts a local control plane, installs the CRDs and the examples, and runs the
 * operator against it in the foreground. Ctrl-C (or SIGTERM, or SIGHUP when the terminal closes)
 * stops everything and removes the control plane's folder, at any stage of the start-up. The exit
 * code is 0 after a signal and 1 when the operator or the start-up failed.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ControlPlane } from '../test/support/control-plane.ts';
import { kubectlOk } from '../test/support/kubectl.ts';
import { startProcess, stopProcess, type ManagedProcess } from '../test/support/processes.ts';
import { waitFor } from '../test/support/wait.ts';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const port = process.env.METADATA_HTTP_PORT ?? '8080';
// Loopback only: a development endpoint has no access control.
const host = process.env.METADATA_HTTP_HOST ?? '127.0.0.1';
const metricsPort = process.env.METADATA_METRICS_PORT ?? '9090';
const metricsHost = process.env.METADATA_METRICS_HOST ?? '127.0.0.1';
const kubeconfig = resolve(root, '.dev', 'kubeconfig');

const cancel = new AbortController();
let starting: Promise<ControlPlane> | undefined;
let operator: ManagedProcess | undefined;
let stopping = false;

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** Stops the operator and the control plane, whatever of them has started, then exits. */
async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    say('\nstopping the operator and the control plane');
    if (operator !== undefined) {
      await stopProcess(operator);
    }
    // A control plane still starting is cancelled and waited for, so that its folder is removed.
    cancel.abort();
    const plane = await starting?.catch(() => undefined);
    await plane?.stop();
    process.exit(code);
  }
  return new Promise<never>(() => undefined);
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => void shutdown(0));
}

async function start(): Promise<void> {
  say('starting a local control plane (etcd, kube-apiserver, kube-controller-manager)');
  // Detached, so that Ctrl-C stops the operator first and the control plane after it.
  starting = ControlPlane.start({ signal: cancel.signal, detached: true });
  const plane = await starting;
  await mkdir(resolve(root, '.dev'), { recursive: true });
  await copyFile(plane.adminKubeconfig, kubeconfig);

  say('installing the CRDs and the examples');
  await kubectlOk(plane, ['apply', '-k', resolve(root, 'crds')]);
  await kubectlOk(plane, [
    'wait',
    '--for=condition=Established',
    'crd/servicemetadatas.mesh.datapunk.io',
    'crd/metadataqueries.mesh.datapunk.io',
    'crd/clustermetadataqueries.mesh.datapunk.io',
    '--timeout=60s',
  ]);
  await kubectlOk(plane, ['apply', '-f', resolve(root, 'examples')]);
  if (stopping) {
    return;
  }

  const main = resolve(root, 'src/main.ts');
  operator = startProcess(
    'metadata-operator',
    process.execPath,
    [main],
    '/dev/stdout',
    {
      ...process.env,
      METADATA_KUBECONFIG: plane.operatorKubeconfig,
      METADATA_HTTP_HOST: host,
      METADATA_HTTP_PORT: port,
      // The local endpoint stays open so that the example curl commands need no token.
      METADATA_AUTH: 'none',
      METADATA_METRICS_HOST: metricsHost,
      METADATA_METRICS_PORT: metricsPort,
    },
    // Detached: Ctrl-C reaches only this script, which then stops the operator with one SIGTERM,
    // so that the operator shuts down gracefully and releases its Lease.
    true,
  );
  const running = operator;
  void running.exited.then((exitCode) => {
    if (!stopping) {
      say(`the operator exited with code ${exitCode}`);
      void shutdown(1);
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
  curl 'http://localhost:${metricsPort}/metrics'

  kubectl --kubeconfig ${kubeconfig} get smd -A
  kubectl --kubeconfig ${kubeconfig} get mdq,cmdq -A

Press Ctrl-C to stop the operator and the control plane.
`);
}

start().catch((err: unknown) => {
  if (!stopping) {
    say(`make dev failed: ${err instanceof Error ? err.message : String(err)}`);
    void shutdown(1);
  }
});
