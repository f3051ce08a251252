/**
 * Stops what the benchmark started when it is interrupted. SIGINT or SIGTERM to the benchmark's
 * own process would otherwise end it without running its `finally` blocks, and leave the control
 * plane, the operator and the floor server running.
 */

type Cleanup = () => Promise<void>;

const cleanups = new Set<Cleanup>();
let stopping = false;

/** Registers `cleanup` to run on SIGINT or SIGTERM, and returns a function that removes it. */
export function onShutdown(cleanup: Cleanup): () => void {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

/**
 * Makes SIGINT and SIGTERM run every registered cleanup, newest first, and then exit with
 * 128 plus the signal's number. A second signal exits at once.
 */
export function stopOnSignals(log: (line: string) => void): void {
  const handle = (signal: 'SIGINT' | 'SIGTERM', code: number): void => {
    if (stopping) {
      process.exit(code);
    }
    stopping = true;
    log(`${signal}: stopping what the benchmark started`);
    void runCleanups().finally(() => process.exit(code));
  };
  process.on('SIGINT', () => handle('SIGINT', 130));
  process.on('SIGTERM', () => handle('SIGTERM', 143));
}

async function runCleanups(): Promise<void> {
  for (const cleanup of [...cleanups].reverse()) {
    await cleanup().catch(() => undefined);
  }
}
