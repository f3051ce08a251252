/**
 * Child processes of the test control plane: each writes its output to a log file in the control
 * plane's folder, and stops with SIGTERM, then SIGKILL if it lingers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createServer } from 'node:net';

/** How long a process may take to exit after SIGTERM before it is killed. */
const STOP_GRACE_MS = 10_000;

/** A running child process whose output goes to `logPath`. */
export interface ManagedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly logPath: string;
  /** Resolves with the exit code once the process exited, or null when a signal ended it. */
  readonly exited: Promise<number | null>;
}

/**
 * Starts `command` with `args`, appending stdout and stderr to `logPath`. A `detached` process
 * gets a process group of its own, so that a terminal's Ctrl-C does not reach it and the caller
 * decides how it stops.
 */
export function startProcess(
  name: string,
  command: string,
  args: string[],
  logPath: string,
  env: NodeJS.ProcessEnv = process.env,
  detached = false,
): ManagedProcess {
  const log = createWriteStream(logPath, { flags: 'a' });
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return { name, child, logPath, exited };
}

/** Stops a process with SIGTERM, and SIGKILL after a grace period; resolves once it exited. */
export async function stopProcess(managed: ManagedProcess): Promise<void> {
  const { child } = managed;
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }

  // A stopped process (SIGSTOP) ignores SIGTERM until it is continued.
  child.kill('SIGCONT');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await managed.exited;
  clearTimeout(timer);
}

/**
 * Returns a TCP port on 127.0.0.1 that was free a moment ago. Another process could take it before
 * the caller binds it; on a test machine that race is rare enough to accept.
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') {
    throw new Error('failed to read the port of a probe socket');
  }
  return address.port;
}
