/**
 * The benchmark: `make bench` runs it. It generates the data set from a seed, measures the index
 * in-process at every size, then loads the objects into a real control plane and measures the
 * operator against the API server and against bare floors. It prints Markdown tables and writes
 * every number to `bench/results/<timestamp>.json` and `bench/results/latest.json`.
 *
 * Environment:
 * - `BENCH_SIZES`: comma-separated object counts, ascending. Default: `1000,10000,100000`.
 * - `BENCH_SEED`: the seed of the data set. Default: 1.
 * - `BENCH_HTTP_SECONDS`: the duration of each HTTP load run. Default: 5.
 * - `BENCH_CONNECTIONS`: the connections of each HTTP load run. Default: 16.
 * - `BENCH_CLUSTER`: `false` skips the control plane and measures in-process only. Default: true.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';

import { runClusterBench } from './cluster-bench.ts';
import { DatasetGenerator } from './dataset.ts';
import { measureInProcess } from './in-process.ts';
import { renderReport, type BenchResult } from './report.ts';

const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));

/** Reads a positive integer variable, or returns the default. */
function integerVariable(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') {
    return fallback;
  }

  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new Error(`invalid ${name} ${JSON.stringify(text)}: must be an integer of at least 1`);
  }

  return value;
}

function readSizes(): number[] {
  const text = process.env.BENCH_SIZES ?? '1000,10000,100000';
  const sizes = text.split(',').map((part) => Number(part.trim()));
  const ascending = sizes.every((size, index) => index === 0 || size > (sizes[index - 1] ?? 0));
  if (!sizes.every((size) => Number.isSafeInteger(size) && size >= 1) || !ascending) {
    throw new Error(
      `invalid BENCH_SIZES ${JSON.stringify(text)}: must be ascending integers of at least 1`,
    );
  }

  return sizes;
}

function log(line: string): void {
  process.stderr.write(`[bench ${new Date().toISOString()}] ${line}\n`);
}

async function main(): Promise<void> {
  const sizes = readSizes();
  const seed = integerVariable('BENCH_SEED', 1);
  const httpSeconds = integerVariable('BENCH_HTTP_SECONDS', 5);
  const connections = integerVariable('BENCH_CONNECTIONS', 16);
  const withCluster = process.env.BENCH_CLUSTER !== 'false';
  const largest = sizes.at(-1) ?? 0;
  const objects = new DatasetGenerator(seed).take(largest);
  const startedAt = new Date().toISOString();

  const inProcess = [];
  for (const size of sizes) {
    log(`measuring in-process at ${size}`);
    inProcess.push(await measureInProcess(objects, size, seed));
  }

  const cluster = withCluster
    ? await runClusterBench(objects, { sizes, connections, httpSeconds }, log)
    : undefined;
  const result: BenchResult = {
    startedAt,
    machine: {
      cores: cpus().length,
      cpu: cpus()[0]?.model ?? 'unknown',
      memoryBytes: totalmem(),
      node: process.version,
    },
    settings: { sizes: sizes.join(','), seed, httpSeconds, connections },
    inProcess,
    ...(cluster === undefined ? {} : { cluster }),
  };

  process.stdout.write(`${renderReport(result)}\n`);
  await mkdir(RESULTS_DIR, { recursive: true });
  const text = `${JSON.stringify(result, null, 2)}\n`;
  await writeFile(`${RESULTS_DIR}${startedAt.replaceAll(':', '-')}.json`, text);
  await writeFile(`${RESULTS_DIR}latest.json`, text);
}

await main();
