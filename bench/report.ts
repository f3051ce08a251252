/**
 * The benchmark's tables and the ratios that its targets are stated in. Every ratio compares two
 * numbers of the same run.
 */
import type { ClusterResult } from './cluster-bench.ts';
import type { InProcessResult } from './in-process.ts';
import { markdownTable, ratio } from './stats.ts';

/** Everything one run measured, as written to `bench/results/*.json`. */
export interface BenchResult {
  readonly startedAt: string;
  readonly machine: Readonly<Record<string, string | number>>;
  readonly settings: Readonly<Record<string, string | number>>;
  readonly inProcess: readonly InProcessResult[];
  readonly cluster?: ClusterResult;
}

/** Renders every table of a result as Markdown. */
export function renderReport(result: BenchResult): string {
  const sections = [queryTable(result), memoryTable(result), indexWriteTable(result)];
  if (result.cluster !== undefined) {
    sections.push(httpTable(result.cluster), syncTable(result.cluster));
    sections.push(writePathTable(result.cluster));
  }

  return sections.join('\n\n');
}

function queryTable(result: BenchResult): string {
  const rows = result.inProcess.flatMap((size) =>
    size.queries.map((query) => [
      size.objects,
      query.shape,
      query.matches,
      query.index.p50Ms * 1000,
      query.index.p99Ms * 1000,
      query.scan.p50Ms * 1000,
      query.scan.p99Ms * 1000,
      formatRatio(query.speedupP50),
      formatRatio(query.speedupP99),
    ]),
  );
  const headers = [
    'objects',
    'query',
    'matches',
    'index p50 µs',
    'index p99 µs',
    'scan p50 µs',
    'scan p99 µs',
    'scan/index p50',
    'scan/index p99',
  ];
  return `### In-process query latency\n\n${markdownTable(headers, rows)}`;
}

function memoryTable(result: BenchResult): string {
  const jsonBytes = new Map(
    (result.cluster?.sizes ?? []).map((size) => [size.objects, size.list.meanItemJsonBytes]),
  );
  const rows = result.inProcess.map((size) => {
    const { storedBytesPerObject, indexBytesPerObject } = size.memory;
    const total = storedBytesPerObject + indexBytesPerObject;
    const json = jsonBytes.get(size.objects) ?? Number.NaN;
    return [
      size.objects,
      storedBytesPerObject,
      indexBytesPerObject,
      total,
      json,
      formatRatio(ratio(total, json)),
    ];
  });
  const headers = ['objects', 'stored object B', 'index B', 'total B', 'API JSON B', 'total/JSON'];
  return `### Retained heap per object\n\n${markdownTable(headers, rows)}`;
}

function indexWriteTable(result: BenchResult): string {
  const rows = result.inProcess.map((size) => [
    size.objects,
    size.indexWrites.addUs,
    size.indexWrites.updateUs,
    size.indexWrites.deleteUs,
  ]);
  const headers = ['objects', 'add µs', 'update µs', 'delete µs'];
  return `### Index write time per event\n\n${markdownTable(headers, rows)}`;
}

function httpTable(cluster: ClusterResult): string {
  const rows = cluster.sizes.flatMap((size) => {
    const operator = size.http.find((entry) => entry.target === 'operator');
    return size.http.map((entry) => {
      const { count, p50Ms, p99Ms } = entry.latency;
      // A target that completed no request within the run has no latency, only its count.
      const latency = (value: number): number | string => (count === 0 ? 'no response' : value);
      return [
        size.objects,
        entry.target,
        count,
        latency(p50Ms),
        latency(p99Ms),
        entry.requestsPerSecond,
        entry.meanBodyBytes,
        formatRatio(ratio(p50Ms, operator?.latency.p50Ms ?? Number.NaN)),
        formatRatio(ratio(p99Ms, operator?.latency.p99Ms ?? Number.NaN)),
        formatRatio(ratio(operator?.requestsPerSecond ?? Number.NaN, entry.requestsPerSecond)),
      ];
    });
  });
  const headers = [
    'objects',
    'target',
    'responses',
    'p50 ms',
    'p99 ms',
    'req/s',
    'response B',
    'p50/operator p50',
    'p99/operator p99',
    'operator req/s / req/s',
  ];
  return `### HTTP selective query\n\n${markdownTable(headers, rows)}`;
}

function syncTable(cluster: ClusterResult): string {
  const rows = cluster.sizes.map((size) => [
    size.objects,
    size.createsPerSecond,
    size.initialSyncMs,
    size.list.durationMs,
    formatRatio(ratio(size.initialSyncMs, size.list.durationMs)),
  ]);
  const headers = ['objects', 'creates/s', 'operator ready ms', 'paged LIST ms', 'ready/LIST'];
  return `### Initial sync\n\n${markdownTable(headers, rows)}`;
}

function writePathTable(cluster: ClusterResult): string {
  const lines: string[] = [];
  const { propagation, statusWrites } = cluster;
  if (propagation !== undefined) {
    const rows = [
      ['operator /v1/services watch', propagation.operator.p50Ms, propagation.operator.p99Ms],
      ['bare API server watch', propagation.bareWatch.p50Ms, propagation.bareWatch.p99Ms],
      [
        'difference',
        propagation.operator.p50Ms - propagation.bareWatch.p50Ms,
        propagation.operator.p99Ms - propagation.bareWatch.p99Ms,
      ],
    ];
    const title = `### Propagation after ${propagation.updates} updates`;
    lines.push(`${title}\n\n${markdownTable(['watch', 'p50 ms', 'p99 ms'], rows)}`);
  }

  if (statusWrites !== undefined) {
    const rows = [
      [
        statusWrites.objects,
        statusWrites.concurrency,
        statusWrites.operatorPerSecond,
        statusWrites.rawPatchPerSecond,
        formatRatio(ratio(statusWrites.operatorPerSecond, statusWrites.rawPatchPerSecond)),
      ],
    ];
    const headers = ['objects', 'in flight', 'operator writes/s', 'raw PATCH/s', 'operator/raw'];
    lines.push(`### Status writes\n\n${markdownTable(headers, rows)}`);
  }

  return lines.join('\n\n');
}

function formatRatio(value: number): string {
  if (!Number.isFinite(value)) {
    return 'n/a';
  }

  return `${value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(2)}x`;
}
