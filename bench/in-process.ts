/**
 * The in-process part of the benchmark, which needs no API server: query latency and index write
 * cost on the generated records, and retained heap in a child process with `--expose-gc`.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import type { GeneratedObject } from './dataset.ts';
import type { MemoryProbeResult } from './memory-probe.ts';
import { measureQueryLatency, type QueryLatency } from './query-latency.ts';
import { recordsOf } from './records.ts';
import { measureIndexWrites, type IndexWriteCost } from './write-cost.ts';

const run = promisify(execFile);
const PROBE = fileURLToPath(new URL('./memory-probe.ts', import.meta.url));

/** The in-process results at one size. */
export interface InProcessResult {
  readonly objects: number;
  readonly queries: readonly QueryLatency[];
  readonly indexWrites: IndexWriteCost;
  readonly memory: MemoryProbeResult;
}

/** Measures the first `size` objects. */
export async function measureInProcess(
  objects: readonly GeneratedObject[],
  size: number,
  seed: number,
): Promise<InProcessResult> {
  const records = recordsOf(objects.slice(0, size));
  const queries = measureQueryLatency(records);
  const indexWrites = measureIndexWrites(records);
  const { stdout } = await run(process.execPath, [
    '--expose-gc',
    PROBE,
    String(size),
    String(seed),
  ]);
  const memory = JSON.parse(stdout) as MemoryProbeResult;
  return { objects: size, queries, indexWrites, memory };
}
