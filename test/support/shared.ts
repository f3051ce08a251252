/**
 * Access to the control plane that test/global-setup.ts started for the whole run. Tests that
 * restart kube-apiserver or change its flags start a control plane of their own instead.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ControlPlaneInfo } from './control-plane.ts';

/** Returns the shared control plane; throws when the run has no global setup. */
export function sharedControlPlane(): ControlPlaneInfo {
  const dir = process.env.METADATA_TEST_DIR;
  if (dir === undefined) {
    throw new Error(
      'METADATA_TEST_DIR is not set: run integration tests with make test-integration',
    );
  }
  return JSON.parse(readFileSync(join(dir, 'control-plane.json'), 'utf8')) as ControlPlaneInfo;
}
