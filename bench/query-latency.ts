/**
 * In-process query latency: the index (`MetadataIndex.query`) against a linear scan of the same
 * records with the project's matcher (`compileQuery`), for four query shapes. Both sides compile
 * the query on every run, as a request would. The index returns its matches sorted by namespace
 * and name, the scan returns them in storage order.
 */
import { MetadataIndex } from '../src/index/metadata-index.ts';
import type { MetadataRecord } from '../src/index/record.ts';
import { compileQuery } from '../src/query/matcher.ts';
import { serviceQuerySchema, type ServiceQuery } from '../src/query/model.ts';
import { tagName } from './dataset.ts';
import { nowMs, ratio, summarize, type LatencySummary } from './stats.ts';

/** The Zipf rank of the rare tag of the selective query: about 0.07% of objects carry it. */
export const RARE_TAG_RANK = 1500;

/** The query shapes, as `/v1/services` parameters and as a `ServiceQuery`. */
export const QUERY_SHAPES = {
  selective: `tag=${tagName(RARE_TAG_RANK)}&environment=production`,
  broad: 'environment=production',
  version: `version=${encodeURIComponent('>=2.0.0 <3.0.0')}`,
  attribute: `selector=${encodeURIComponent('tier=frontend')}`,
} as const;

/** The name of one query shape. */
export type QueryShape = keyof typeof QUERY_SHAPES;

const SHAPE_QUERIES: Readonly<Record<QueryShape, ServiceQuery>> = {
  selective: serviceQuerySchema.parse({
    tags: { all: [tagName(RARE_TAG_RANK)] },
    environments: { in: ['production'] },
  }),
  broad: serviceQuerySchema.parse({ environments: { in: ['production'] } }),
  version: serviceQuerySchema.parse({ version: '>=2.0.0 <3.0.0' }),
  attribute: serviceQuerySchema.parse({ selector: 'tier=frontend' }),
};

/** The latencies of one query shape at one size. */
export interface QueryLatency {
  readonly shape: QueryShape;
  readonly matches: number;
  readonly index: LatencySummary;
  readonly scan: LatencySummary;
  /** Scan p50 over index p50: how many times faster the index is. */
  readonly speedupP50: number;
  readonly speedupP99: number;
}

/** How long each side of each shape runs, in milliseconds, after a warm-up of the same length. */
const RUN_BUDGET_MS = 1500;
const MAX_RUNS = 20_000;
const BLOCK_MS = 100;

/**
 * Measures each query shape against an index and an array holding the same records. The runs of
 * the two sides alternate, so that noise from other processes falls on both.
 *
 * @throws Error when the index and the scan disagree on the number of matches.
 */
export function measureQueryLatency(records: readonly MetadataRecord[]): QueryLatency[] {
  const index = new MetadataIndex();
  for (const record of records) {
    index.upsert(record);
  }

  return (Object.keys(SHAPE_QUERIES) as QueryShape[]).map((shape) =>
    measureShape(shape, SHAPE_QUERIES[shape], index, records),
  );
}

function measureShape(
  shape: QueryShape,
  query: ServiceQuery,
  index: MetadataIndex,
  records: readonly MetadataRecord[],
): QueryLatency {
  const runIndex = (): number => index.query(query).total;
  const runScan = (): number => {
    const compiled = compileQuery(query);
    return records.filter((record) => compiled.matches(record)).length;
  };

  const matches = runIndex();
  if (runScan() !== matches) {
    throw new Error(`the index and the scan disagree on the ${shape} query`);
  }

  // The first round warms up the JIT and is thrown away.
  sampleAlternating(runIndex, runScan);
  const [indexSamples, scanSamples] = sampleAlternating(runIndex, runScan);

  const indexSummary = summarize(indexSamples);
  const scanSummary = summarize(scanSamples);
  return {
    shape,
    matches,
    index: indexSummary,
    scan: scanSummary,
    speedupP50: ratio(scanSummary.p50Ms, indexSummary.p50Ms),
    speedupP99: ratio(scanSummary.p99Ms, indexSummary.p99Ms),
  };
}

/**
 * Runs `first` and `second` in alternating blocks of `BLOCK_MS` for the run budget and returns the
 * durations of each run. Blocks rather than single runs keep one side's memory traffic from
 * evicting the other's data from the CPU caches before every run, while noise from other
 * processes still falls on both sides.
 */
function sampleAlternating(first: () => number, second: () => number): [number[], number[]] {
  const firstSamples: number[] = [];
  const secondSamples: number[] = [];
  const deadline = nowMs() + RUN_BUDGET_MS * 2;
  while (nowMs() < deadline && firstSamples.length < MAX_RUNS) {
    sampleBlock(first, firstSamples);
    sampleBlock(second, secondSamples);
  }

  return [firstSamples, secondSamples];
}

function sampleBlock(run: () => number, samples: number[]): void {
  const blockEnd = nowMs() + BLOCK_MS;
  do {
    samples.push(timed(run));
  } while (nowMs() < blockEnd && samples.length < MAX_RUNS);
}

function timed(run: () => number): number {
  const start = nowMs();
  run();
  return nowMs() - start;
}
