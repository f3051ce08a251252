import { execFile } from 'node:child_process';
import { join } from 'node:path';
import type { ControlPlaneInfo } from './control-plane.ts';

/** The result of one kubectl run. */
export interface KubectlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the control plane's kubectl as the administrator, with `input` on stdin. */
export function kubectl(
  plane: ControlPlaneInfo,
  args: readonly string[],
  input?: string,
): Promise<KubectlResult> {
  return new Promise((resolve) => {
    const child = execFile(
      join(plane.binDir, 'kubectl'),
      ['--kubeconfig', plane.adminKubeconfig, ...args],
      { maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
    // kubectl may exit before it reads stdin, as a command without input can under load. Its exit
    // code and stderr report the outcome, so the broken pipe carries nothing and is ignored.
    child.stdin?.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') {
        throw error;
      }
    });
    child.stdin?.end(input ?? '');
  });
}

/** Runs kubectl and throws with its stderr when it fails. */
export async function kubectlOk(
  plane: ControlPlaneInfo,
  args: readonly string[],
  input?: string,
): Promise<string> {
  const result = await kubectl(plane, args, input);
  if (result.code !== 0) {
    throw new Error(`kubectl ${args.join(' ')} failed with code ${result.code}: ${result.stderr}`);
  }
  return result.stdout;
}
