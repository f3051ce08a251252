/**
 * The operator's entry point: reads the configuration, starts the controller layer, the query
 * endpoint and the metrics endpoint, and stops them on SIGTERM or SIGINT. The two layers meet only
 * here: the endpoint receives the index's read side, the readiness and staleness reports and the
 * authenticator as plain values.
 */
import { KubeConfig } from '@kubernetes/client-node';
import {
  ConfigError,
  configHelp,
  helpRequested,
  loadConfig,
  type MetadataConfig,
} from './config.ts';
import { kubernetesAccessReviews } from './controller/auth/access-reviews.ts';
import { KubernetesAuthenticator } from './controller/auth/kubernetes-authenticator.ts';
import { IndexMetrics } from './controller/index-metrics.ts';
import { Manager } from './controller/manager.ts';
import { ALLOW_ALL, type Authenticator } from './http/authenticator.ts';
import { createMetricsServer } from './http/metrics-server.ts';
import { createQueryServer } from './http/server.ts';
import { MetadataIndex } from './index/metadata-index.ts';
import { createRootLogger, type Logger } from './observability/logger.ts';
import { createMetrics } from './observability/metrics.ts';

/** Exit code of a start-up that failed because of the configuration. */
const EXIT_CONFIG = 2;

function readConfig(): MetadataConfig {
  if (helpRequested(process.argv.slice(2))) {
    process.stdout.write(`${configHelp()}\n`);
    process.exit(0);
  }
  try {
    return loadConfig(process.env, process.argv.slice(2));
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`metadata-operator: ${err.message}\n`);
      process.exit(EXIT_CONFIG);
    }
    throw err;
  }
}

function loadKubeConfig(path: string | undefined): KubeConfig {
  const kubeConfig = new KubeConfig();
  if (path === undefined) {
    // In a Pod this reads the ServiceAccount's in-cluster configuration.
    kubeConfig.loadFromDefault();
  } else {
    kubeConfig.loadFromFile(path);
  }
  return kubeConfig;
}

/** Creates the query endpoint's authenticator of the `auth` setting. */
function createAuthenticator(
  config: MetadataConfig,
  kubeConfig: KubeConfig,
  logger: Logger,
): Authenticator {
  if (config.auth === 'none') {
    logger.warn(
      { auth: config.auth },
      'query endpoint authentication is off: every caller sees every namespace',
    );
    return ALLOW_ALL;
  }

  return new KubernetesAuthenticator({
    reviews: kubernetesAccessReviews(kubeConfig),
    audience: config.authAudience,
    ttlSeconds: config.authCacheTtlSeconds,
    maxEntries: config.authCacheMaxEntries,
  });
}

async function run(config: MetadataConfig, logger: Logger): Promise<void> {
  const metrics = createMetrics();
  const index = new MetadataIndex();
  const kubeConfig = loadKubeConfig(config.kubeconfig);
  index.subscribe(
    new IndexMetrics({
      metrics,
      logger,
      infoMetric: config.infoMetric,
      infoMetricMaxSeries: config.infoMetricMaxSeries,
    }),
  );
  const manager = new Manager({
    settings: config,
    kubeConfig,
    index,
    logger,
    metrics,
    identity: process.env.POD_NAME,
  });
  const server = createQueryServer({
    index,
    authenticator: createAuthenticator(config, kubeConfig, logger),
    readiness: () => manager.readiness(),
    staleSeconds: () => manager.staleSeconds(),
    metrics,
    logger,
    host: config.httpHost,
    port: config.httpPort,
    cacheMaxEntries: config.cacheMaxEntries,
    cacheMaxBytes: config.cacheMaxBytes,
    cacheTtlSeconds: config.cacheTtlSeconds,
    maxUrlLength: config.httpMaxUrlLength,
    maxParameters: config.httpMaxParameters,
    maxValuesPerParameter: config.httpMaxValuesPerParameter,
    maxSelectorLength: config.httpMaxSelectorLength,
    maxHeaderSize: config.httpMaxHeaderSize,
    headersTimeoutMs: config.httpHeadersTimeoutMs,
    requestTimeoutMs: config.httpRequestTimeoutMs,
    keepAliveTimeoutMs: config.httpKeepAliveTimeoutMs,
    maxConnections: config.httpMaxConnections,
    maxWatchStreams: config.httpMaxWatchStreams,
    maxWatchStreamsPerCaller: config.httpMaxWatchStreamsPerCaller,
  });

  const metricsServer = createMetricsServer({
    metrics,
    logger,
    host: config.metricsHost,
    port: config.metricsPort,
    // The kubelet probes this port, whose connection cap tenants cannot fill.
    readiness: () => manager.readiness(),
  });

  const { port } = await server.listen();
  logger.info({ host: config.httpHost, port }, 'query endpoint listening');
  await metricsServer.listen();
  manager.start();

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn({ signal }, 'second signal; exiting at once');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    void Promise.all([server.close(), metricsServer.close(), manager.stop()]).then(
      () => {
        logger.info('shutdown complete');
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'failed to shut down cleanly');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

const config = readConfig();
const logger = createRootLogger(config.logLevel);
logger.info({ config }, 'starting metadata-operator');
run(config, logger).catch((err: unknown) => {
  logger.fatal({ err }, 'failed to start');
  process.exit(1);
});
