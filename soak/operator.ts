/**
 * The operator, wired in the soak process itself as `src/main.ts` wires it, so that the soak run
 * can force a garbage collection and read the index's internal sizes between phases. It runs as
 * a single replica without leader election, with the query endpoint on a free loopback port.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { metadataConfigSchema } from '../src/config.ts';
import { compareResourceVersions } from '../src/controller/resource-version.ts';
import { Manager } from '../src/controller/manager.ts';
import { ALLOW_ALL } from '../src/http/authenticator.ts';
import { createQueryServer, type QueryServer } from '../src/http/server.ts';
import { MetadataIndex } from '../src/index/metadata-index.ts';
import { createRootLogger } from '../src/observability/logger.ts';
import { createMetrics, type Metrics } from '../src/observability/metrics.ts';

/** One reading of the operator's size, taken after a forced garbage collection. */
export interface Sample {
  /** Seconds since the soak run started. */
  readonly elapsedSeconds: number;
  readonly heapUsedBytes: number;
  readonly indexRecords: number;
  /** Distinct keys over every inverted index of the index. */
  readonly indexEntries: number;
  readonly cacheEntries: number;
  readonly relists: number;
  readonly watchRestarts: number;
}

/** The operator under soak, with its query endpoint's base URL. */
export interface SoakOperator {
  readonly baseUrl: string;
  readonly index: MetadataIndex;
  /** Reports whether the index contains `count` records and has applied `resourceVersion`. */
  caughtUp(count: number, resourceVersion: string): boolean;
  sample(elapsedSeconds: number): Promise<Sample>;
  /** Keys waiting in the status work queue. */
  queueDepth(): Promise<number>;
  stop(): Promise<void>;
}

/** Starts the manager and the query endpoint against the kubeconfig's API server. */
export async function startSoakOperator(kubeconfigPath: string): Promise<SoakOperator> {
  const settings = metadataConfigSchema.parse({
    kubeconfig: kubeconfigPath,
    leaderElection: false,
    httpHost: '127.0.0.1',
    httpPort: 0,
    // A small cache bound keeps the cache's share of the heap the same at every sample.
    cacheMaxBytes: 4 * 1024 * 1024,
    writeQps: 500,
    writeBurst: 1000,
    // Status writes fail while kube-apiserver restarts; the table, not the log, is the output.
    logLevel: 'fatal',
  });
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(kubeconfigPath);
  const logger = createRootLogger(settings.logLevel);
  const metrics = createMetrics();
  const index = new MetadataIndex();
  const manager = new Manager({ settings, kubeConfig, index, logger, metrics });
  const server: QueryServer = createQueryServer({
    index,
    // The soak run measures memory, not access control, so every request may read everything.
    authenticator: ALLOW_ALL,
    readiness: () => manager.readiness(),
    staleSeconds: () => manager.staleSeconds(),
    metrics,
    logger,
    host: settings.httpHost,
    port: settings.httpPort,
    cacheMaxEntries: settings.cacheMaxEntries,
    cacheMaxBytes: settings.cacheMaxBytes,
    cacheTtlSeconds: settings.cacheTtlSeconds,
  });
  const { port } = await server.listen();
  manager.start();

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    index,
    caughtUp: (count, resourceVersion) =>
      index.size === count && compareResourceVersions(index.watermark, resourceVersion) >= 0,
    sample: (elapsedSeconds) => sample(index, metrics, elapsedSeconds),
    queueDepth: () => metricValue(metrics, 'metadata_workqueue_depth'),
    stop: async () => {
      await Promise.all([server.close(), manager.stop()]);
    },
  };
}

async function sample(index: MetadataIndex, metrics: Metrics, elapsed: number): Promise<Sample> {
  collectGarbage();
  const sizes = index.internalSizes();
  return {
    elapsedSeconds: Math.round(elapsed),
    heapUsedBytes: process.memoryUsage().heapUsed,
    indexRecords: sizes.records,
    indexEntries: Object.values(sizes.entries).reduce((sum, count) => sum + count, 0),
    cacheEntries: await metricValue(metrics, 'metadata_query_cache_entries'),
    relists: await metricValue(metrics, 'metadata_relists_total'),
    watchRestarts: await metricValue(metrics, 'metadata_watch_restarts_total'),
  };
}

/** Sums every series of one metric, as the registry reports it. */
async function metricValue(metrics: Metrics, name: string): Promise<number> {
  const metric = metrics.registry.getSingleMetric(name);
  const values = metric === undefined ? [] : (await metric.get()).values;
  return values.reduce((sum, entry) => sum + entry.value, 0);
}

/** Runs two full collections, so that objects freed by finalizers are gone too. */
function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) {
    throw new Error('the soak run needs node --expose-gc to measure retained heap');
  }
  gc();
  gc();
}
