/**
 * The benchmark: `make bench` runs it. It generates the data set from a seed, measures the index
 * in-process at every size, then loads the objects into a real control plane and measures the
 * operator against the API server and against bare floors. It prints Markdown tables and writes
 * every number to `bench/results/<timestamp>.json`. `bench/results/latest.json`, the run that
 * docs/benchmarks.md cites, is replaced only with `BENCH_RECORD=true`.
 *
 * Environment:
 * - `BENCH_SIZES`: comma-separated object counts, ascending. Default: `1000,10000,100000`.
 * - `BENCH_SEED`: the seed of the data set. Default: 1.
 * - `BENCH_HTTP_SECONDS`: the duration of each HTTP load run. Default: 5.
 * - `BENCH_CONNECTIONS`: the connections of each HTTP load run. Default: 16.
 * - `BENCH_CLUSTER`: `false` skips the control plane and measures in-process only. Default: true.
 * - `BENCH_RECORD`: `true` also writes the run to `bench/results/latest.json`. Default: false.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';

import { runClusterBench } from './cluster-bench.ts';
import { DatasetGenerator } from './dataset.ts';
import { measureInProcess } from './in-process.ts';
import { renderReport, type BenchResult } from './report.ts';
import { stopOnSignals } from './shutdown.ts';

const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));

/** The largest size the benchmark accepts; the whole data set is generated up front. */
const MAX_SIZE = 1_000_000;

/** Reads a `true` or `false` variable, or returns the default when it is unset or empty. */
function booleanVariable(name: string, fallback: boolean): boolean {
  const text = process.env[name];
  if (text === undefined || text === '') {
    return fallback;
  }
  if (text !== 'true' && text !== 'false') {
    throw new Error(`invalid ${name} ${JSON.stringify(text)}: must be true or false`);
  }

  return text === 'true';
}

/** Reads a positive integer variable, or returns the default. */
function integerVariable(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') {
    return fallback;
  }

  const value = /^[0-9]+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new Error(`invalid ${name} ${JSON.stringify(text)}: must be an integer of at least 1`);
  }

  return value;
}

function readSizes(): number[] {
  const variable = process.env.BENCH_SIZES;
  const text = variable === undefined || variable === '' ? '1000,10000,100000' : variable;
  const sizes = text
    .split(',')
    .map((part) => (/^[0-9]+$/.test(part.trim()) ? Number(part.trim()) : Number.NaN));
  const ascending = sizes.every((size, index) => index === 0 || size > (sizes[index - 1] ?? 0));
  const inRange = sizes.every(
    (size) => Number.isSafeInteger(size) && size >= 1 && size <= MAX_SIZE,
  );
  if (!inRange || !ascending) {
    throw new Error(
      `invalid BENCH_SIZES ${JSON.stringify(text)}: must be ascending integers from 1 to ` +
        `${MAX_SIZE}, separated by commas`,
    );
  }

  return sizes;
}

function log(line: string): void {
  process.stderr.write(`[bench ${new Date().toISOString()}] ${line}\n`);
}

async function main(): Promise<void> {
  stopOnSignals(log);
  const sizes = readSizes();
  const seed = integerVariable('BENCH_SEED', 1);
  const httpSeconds = integerVariable('BENCH_HTTP_SECONDS', 5);
  const connections = integerVariable('BENCH_CONNECTIONS', 16);
  const withCluster = booleanVariable('BENCH_CLUSTER', true);
  const record = booleanVariable('BENCH_RECORD', false);
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
  if (record) {
    await writeFile(`${RESULTS_DIR}latest.json`, text);
  }
}

try {
  await main();
} catch (error) {
  // A setting error needs only its message; any other failure keeps its stack for debugging.
  const setting = error instanceof Error && error.message.startsWith('invalid BENCH_');
  log(
    error instanceof Error
      ? setting
        ? error.message
        : (error.stack ?? error.message)
      : String(error),
  );
  process.exitCode = 1;
}
