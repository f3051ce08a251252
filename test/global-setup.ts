/**
 * Starts one control plane for every integration test file of a `node --test` run and stops it at
 * the end. The test runner starts each file in a child process, which inherits the environment set
 * here: `METADATA_TEST_DIR`, the control plane's folder, where `control-plane.json` describes it.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ControlPlane } from './support/control-plane.ts';

let plane: ControlPlane | undefined;

export async function globalSetup(): Promise<void> {
  plane = await ControlPlane.start({ keepFolder: process.env.METADATA_KEEP_CONTROLPLANE === '1' });
  await writeFile(join(plane.dir, 'control-plane.json'), JSON.stringify(plane.describe()));
  process.env.METADATA_TEST_DIR = plane.dir;
}

export async function globalTeardown(): Promise<void> {
  await plane?.stop();
}
