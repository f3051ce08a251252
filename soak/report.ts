/**
 * The soak run's output: one table line per sample, and the comparison of the final sample with
 * the baseline, which decides the run.
 */
import type { ChurnCounts } from './churn.ts';
import type { Sample } from './operator.ts';

/** How far the final heap and index size are from the baseline, and whether both are within it. */
export interface Verdict {
  readonly tolerance: number;
  /** (final - baseline) / baseline of the heap after a forced garbage collection. */
  readonly heapChange: number;
  /** (final - baseline) / baseline of the distinct keys over every inverted index. */
  readonly indexChange: number;
  readonly recordsEqual: boolean;
  readonly passed: boolean;
}

const MIB = 1024 * 1024;
let headerPrinted = false;

/** Prints one sample as a table line, with the header before the first one. */
export function printSample(sample: Sample, label = ''): void {
  if (!headerPrinted) {
    headerPrinted = true;
    process.stdout.write(
      `${['seconds', 'heap MiB', 'records', 'index keys', 'cached', 'relists', 'restarts']
        .map((title) => title.padStart(10))
        .join(' ')}\n`,
    );
  }
  const cells = [
    sample.elapsedSeconds,
    (sample.heapUsedBytes / MIB).toFixed(1),
    sample.indexRecords,
    sample.indexEntries,
    sample.cacheEntries,
    sample.relists,
    sample.watchRestarts,
  ];
  process.stdout.write(`${cells.map((cell) => String(cell).padStart(10)).join(' ')} ${label}\n`);
}

/** Compares the final sample with the baseline. */
export function verdict(baseline: Sample, final: Sample, tolerance: number): Verdict {
  const heapChange = (final.heapUsedBytes - baseline.heapUsedBytes) / baseline.heapUsedBytes;
  const indexChange = (final.indexEntries - baseline.indexEntries) / baseline.indexEntries;
  const recordsEqual = final.indexRecords === baseline.indexRecords;
  return {
    tolerance,
    heapChange,
    indexChange,
    recordsEqual,
    passed: recordsEqual && Math.abs(heapChange) <= tolerance && Math.abs(indexChange) <= tolerance,
  };
}

/** Prints the verdict and what the churn did. */
export function printVerdict(result: Verdict, counts: ChurnCounts, reconnects: number): void {
  const percent = (value: number): string => `${(value * 100).toFixed(1)}%`;
  process.stdout.write(
    [
      `churn: ${counts.creates} creates, ${counts.updates} updates, ${counts.deletes} deletes, ` +
        `${counts.failures} failed requests, ${reconnects} kube-apiserver restarts`,
      `heap after the churn: ${percent(result.heapChange)} against the baseline`,
      `index keys after the churn: ${percent(result.indexChange)} against the baseline`,
      `records equal to the baseline: ${String(result.recordsEqual)}`,
      `${result.passed ? 'PASS' : 'FAIL'}: the limit is ${percent(result.tolerance)}`,
    ].join('\n') + '\n',
  );
}
