/**
 * A query server on 127.0.0.1 with a real `MetadataIndex`, a fresh metrics registry and a logger
 * that collects its records in memory, for the HTTP tests.
 */
import { Writable } from 'node:stream';

import { pino } from 'pino';

import { ALLOW_ALL } from '../../../src/http/authenticator.ts';
import { MetadataIndex } from '../../../src/index/metadata-index.ts';
import type { IndexReader } from '../../../src/index/reader.ts';
import { recordKey, type MetadataRecord } from '../../../src/index/record.ts';
import { createMetrics, type Metrics } from '../../../src/observability/metrics.ts';
import {
  createQueryServer,
  type QueryServer,
  type QueryServerOptions,
} from '../../../src/http/server.ts';

/** The fields of a record that a test sets; the rest get defaults. */
export interface RecordFields {
  namespace: string;
  name: string;
  service?: string;
  version?: string;
  environment?: string;
  region?: string;
  tags?: string[];
  attributes?: Record<string, string>;
  generation?: number;
}

/** Builds a record whose key and uid follow from namespace and name. */
export function makeRecord(fields: RecordFields): MetadataRecord {
  return {
    key: recordKey(fields.namespace, fields.name),
    namespace: fields.namespace,
    name: fields.name,
    uid: `uid-${fields.namespace}-${fields.name}`,
    generation: fields.generation ?? 1,
    service: fields.service ?? fields.name,
    version: fields.version ?? '1.0.0',
    environment: fields.environment ?? 'prod',
    region: fields.region ?? 'eu-west-1',
    tags: [...(fields.tags ?? [])].sort(),
    attributes: fields.attributes ?? {},
  };
}

/**
 * The records of the default fixture. Namespaces `a` and `a-b` check the sort order: by namespace
 * `a` comes first, but by the key `namespace/name` `a-b/...` would, because `-` sorts before `/`.
 */
export const FIXTURE_RECORDS: readonly MetadataRecord[] = [
  makeRecord({
    namespace: 'b',
    name: 'billing',
    version: '2.0.0+build.5',
    tags: ['critical'],
    attributes: { team: 'payments', 'cost-center': '42' },
  }),
  makeRecord({
    namespace: 'a-b',
    name: 'api',
    service: 'api',
    version: '1.4.2',
    environment: 'staging',
    region: 'us-east-1',
    tags: ['public'],
  }),
  makeRecord({
    namespace: 'a',
    name: 'web',
    version: '1.10.0',
    region: 'eu,west',
    tags: ['x,y', 'public'],
  }),
  makeRecord({
    namespace: 'a',
    name: 'api',
    version: '2.1.0',
    tags: ['public', 'critical'],
    attributes: { team: 'core' },
  }),
  makeRecord({
    namespace: 'b',
    name: 'worker',
    version: '3.0.0-rc.1',
    environment: 'dev',
    region: 'us-east-1',
  }),
];

/** One log record as pino wrote it, parsed. */
export type LogRecord = Record<string, unknown> & { level: number; msg?: string };

/** A started server and what a test reads or changes around it. */
export interface ServerFixture {
  readonly server: QueryServer;
  readonly baseUrl: string;
  readonly index: MetadataIndex;
  readonly metrics: Metrics;
  readonly logs: LogRecord[];
  readonly readiness: { ready: boolean; reason?: string };
  staleSeconds: number;
}

/** Options of `startFixture`. */
export interface FixtureOptions {
  /** The index that the server reads; default: the fixture's own `MetadataIndex`. */
  readonly reader?: (index: MetadataIndex) => IndexReader;
  readonly cacheMaxEntries?: number;
  /** Further server options, such as the watch bounds. */
  readonly server?: Partial<QueryServerOptions>;
}

/** Starts a server on 127.0.0.1 with a port picked by the kernel and the fixture records. */
export async function startFixture(options: FixtureOptions = {}): Promise<ServerFixture> {
  const index = new MetadataIndex();
  for (const record of FIXTURE_RECORDS) {
    index.upsert(record);
  }
  index.advanceWatermark('1200');

  const logs: LogRecord[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback): void {
      logs.push(JSON.parse(chunk.toString()) as LogRecord);
      callback();
    },
  });
  const logger = pino({ level: 'debug' }, sink);
  const metrics = createMetrics();
  const readiness: { ready: boolean; reason?: string } = { ready: true };

  const fixture: Omit<ServerFixture, 'server' | 'baseUrl'> = {
    index,
    metrics,
    logs,
    readiness,
    staleSeconds: 1.25,
  };
  const server = createQueryServer({
    index: options.reader === undefined ? index : options.reader(index),
    authenticator: ALLOW_ALL,
    readiness: () => ({ ...readiness }),
    staleSeconds: () => fixture.staleSeconds,
    metrics,
    logger,
    host: '127.0.0.1',
    port: 0,
    cacheMaxEntries: options.cacheMaxEntries ?? 100,
    cacheTtlSeconds: 60,
    ...options.server,
  });
  const { port } = await server.listen();

  return Object.assign(fixture, { server, baseUrl: `http://127.0.0.1:${port}` });
}

/** Returns the value of one counter series from the registry, 0 when the series does not exist. */
export async function counterValue(
  metrics: Metrics,
  name: string,
  labels: Record<string, string>,
): Promise<number> {
  const metric = metrics.registry.getSingleMetric(name);
  if (metric === undefined) {
    throw new Error(`metric ${name} is not registered`);
  }

  const { values } = await metric.get();
  const series = values.find((value) =>
    Object.entries(labels).every(([label, expected]) => value.labels[label] === expected),
  );
  return series?.value ?? 0;
}

/** Returns the namespace/name of each item of a list response, in response order. */
export function itemKeys(body: { items: { namespace: string; name: string }[] }): string[] {
  return body.items.map((item) => `${item.namespace}/${item.name}`);
}

/** Returns the value of one gauge or counter without labels from the registry. */
export async function metricValue(metrics: Metrics, name: string): Promise<number> {
  return await counterValue(metrics, name, {});
}

/**
 * Calls `check` until it returns true, every few milliseconds, and fails with `description` when
 * it is still false after `timeoutMs`. For conditions that another part of the test brings about.
 */
export async function waitUntil(
  description: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting until ${description}`);
    }

    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
