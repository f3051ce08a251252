import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  ConfigError,
  configHelp,
  helpRequested,
  loadConfig,
  type MetadataConfig,
} from '../../src/config.ts';

const DEFAULTS: MetadataConfig = {
  watchNamespaces: [],
  maxTags: 64,
  maxTagLength: 63,
  allowedEnvironments: [],
  maxAttributes: 32,
  maxAttributeValueLength: 256,
  cacheMaxEntries: 1024,
  cacheMaxBytes: 67108864,
  cacheTtlSeconds: 300,
  httpPort: 8080,
  httpHost: '0.0.0.0',
  httpMaxUrlLength: 8192,
  httpMaxParameters: 256,
  httpMaxValuesPerParameter: 64,
  httpMaxSelectorLength: 4096,
  httpMaxHeaderSize: 16384,
  httpHeadersTimeoutMs: 10000,
  httpRequestTimeoutMs: 30000,
  httpKeepAliveTimeoutMs: 5000,
  httpMaxConnections: 1024,
  httpMaxWatchStreams: 100,
  httpMaxWatchStreamsPerCaller: 10,
  auth: 'kubernetes',
  authAudience: 'metadata-operator',
  authCacheTtlSeconds: 10,
  authCacheMaxEntries: 10000,
  metricsPort: 9090,
  metricsHost: '0.0.0.0',
  infoMetric: false,
  infoMetricMaxSeries: 10000,
  logLevel: 'info',
  listPageSize: 500,
  watchTimeoutSeconds: 300,
  watchInactivityTimeoutSeconds: 90,
  backoffInitialMs: 500,
  backoffMaxMs: 30000,
  statusWorkers: 4,
  leaderElection: true,
  leaseName: 'metadata-operator',
  leaseNamespace: 'default',
  leaseDurationSeconds: 15,
  renewDeadlineSeconds: 10,
  retryPeriodSeconds: 2,
  writeQps: 20,
  writeBurst: 40,
};

/** Returns the ConfigError that loading throws, failing the test when nothing is thrown. */
function configError(env: NodeJS.ProcessEnv, argv: string[]): ConfigError {
  try {
    loadConfig(env, argv);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected loadConfig to throw');
}

describe('loadConfig defaults', () => {
  test('no variables and no flags', () => {
    assert.deepEqual(loadConfig({}, []), DEFAULTS);
  });

  test('kubeconfig absent by default', () => {
    assert.equal(Object.hasOwn(loadConfig({}, []), 'kubeconfig'), false);
  });

  test('empty variables count as unset', () => {
    assert.deepEqual(loadConfig({ METADATA_MAX_TAGS: '', METADATA_LOG_LEVEL: '  ' }, []), DEFAULTS);
  });

  test('unrelated variables ignored', () => {
    const env = { METADATA_OPERATOR_SERVICE_HOST: '10.0.0.1', KUBECONFIG: '/root/.kube/config' };
    assert.deepEqual(loadConfig(env, []), DEFAULTS);
  });
});

describe('loadConfig leader election', () => {
  test('POD_NAMESPACE sets the Lease namespace', () => {
    assert.equal(
      loadConfig({ POD_NAMESPACE: 'metadata-system' }, []).leaseNamespace,
      'metadata-system',
    );
  });

  test('an explicit Lease namespace wins over POD_NAMESPACE', () => {
    const env = { POD_NAMESPACE: 'metadata-system', METADATA_LEASE_NAMESPACE: 'leases' };
    assert.equal(loadConfig(env, []).leaseNamespace, 'leases');
  });

  test('leader election can be turned off', () => {
    assert.equal(loadConfig({}, ['--leader-election=false']).leaderElection, false);
  });

  test('rejects a boolean that is not true or false', () => {
    assert.throws(() => loadConfig({ METADATA_LEADER_ELECTION: 'yes' }, []), {
      message: 'invalid METADATA_LEADER_ELECTION (--leader-election) "yes": must be true or false',
    });
  });

  test('rejects a renew deadline at or above the Lease duration', () => {
    assert.throws(() => loadConfig({}, ['--renew-deadline-seconds=15']), /must be less than/);
  });
});

describe('loadConfig environment variables', () => {
  const cases: ReadonlyArray<[string, string, Partial<MetadataConfig>]> = [
    [
      'METADATA_WATCH_NAMESPACES',
      'payments, storefront,,payments',
      { watchNamespaces: ['payments', 'storefront'] },
    ],
    ['METADATA_MAX_TAGS', '128', { maxTags: 128 }],
    ['METADATA_MAX_TAG_LENGTH', '40', { maxTagLength: 40 }],
    [
      'METADATA_ALLOWED_ENVIRONMENTS',
      'production,staging',
      { allowedEnvironments: ['production', 'staging'] },
    ],
    ['METADATA_MAX_ATTRIBUTES', '0', { maxAttributes: 0 }],
    ['METADATA_MAX_ATTRIBUTE_VALUE_LENGTH', '100', { maxAttributeValueLength: 100 }],
    ['METADATA_CACHE_MAX_ENTRIES', '4096', { cacheMaxEntries: 4096 }],
    ['METADATA_CACHE_TTL_SECONDS', '60', { cacheTtlSeconds: 60 }],
    ['METADATA_HTTP_PORT', '0', { httpPort: 0 }],
    ['METADATA_HTTP_HOST', '127.0.0.1', { httpHost: '127.0.0.1' }],
    ['METADATA_HTTP_HOST', '::', { httpHost: '::' }],
    ['METADATA_HTTP_HOST', 'localhost', { httpHost: 'localhost' }],
    ['METADATA_HTTP_MAX_URL_LENGTH', '4096', { httpMaxUrlLength: 4096 }],
    ['METADATA_HTTP_MAX_PARAMETERS', '32', { httpMaxParameters: 32 }],
    ['METADATA_HTTP_MAX_VALUES_PER_PARAMETER', '8', { httpMaxValuesPerParameter: 8 }],
    ['METADATA_HTTP_MAX_SELECTOR_LENGTH', '512', { httpMaxSelectorLength: 512 }],
    ['METADATA_HTTP_MAX_HEADER_SIZE', '32768', { httpMaxHeaderSize: 32768 }],
    ['METADATA_HTTP_HEADERS_TIMEOUT_MS', '5000', { httpHeadersTimeoutMs: 5000 }],
    ['METADATA_HTTP_REQUEST_TIMEOUT_MS', '60000', { httpRequestTimeoutMs: 60000 }],
    ['METADATA_HTTP_KEEP_ALIVE_TIMEOUT_MS', '65000', { httpKeepAliveTimeoutMs: 65000 }],
    ['METADATA_HTTP_MAX_CONNECTIONS', '200', { httpMaxConnections: 200 }],
    ['METADATA_HTTP_MAX_WATCH_STREAMS', '500', { httpMaxWatchStreams: 500 }],
    ['METADATA_HTTP_MAX_WATCH_STREAMS_PER_CALLER', '2', { httpMaxWatchStreamsPerCaller: 2 }],
    ['METADATA_LOG_LEVEL', 'debug', { logLevel: 'debug' }],
    ['METADATA_AUTH', 'none', { auth: 'none' }],
    ['METADATA_AUTH_AUDIENCE', 'https://example.com', { authAudience: 'https://example.com' }],
    ['METADATA_AUTH_CACHE_TTL_SECONDS', '1', { authCacheTtlSeconds: 1 }],
    ['METADATA_AUTH_CACHE_MAX_ENTRIES', '50', { authCacheMaxEntries: 50 }],
    ['METADATA_LIST_PAGE_SIZE', '5000', { listPageSize: 5000 }],
    ['METADATA_WATCH_TIMEOUT_SECONDS', '30', { watchTimeoutSeconds: 30 }],
    ['METADATA_WATCH_INACTIVITY_TIMEOUT_SECONDS', '120', { watchInactivityTimeoutSeconds: 120 }],
    ['METADATA_BACKOFF_INITIAL_MS', '100', { backoffInitialMs: 100 }],
    ['METADATA_BACKOFF_MAX_MS', '600000', { backoffMaxMs: 600000 }],
    ['METADATA_STATUS_WORKERS', '64', { statusWorkers: 64 }],
    ['METADATA_KUBECONFIG', '/etc/metadata/kubeconfig', { kubeconfig: '/etc/metadata/kubeconfig' }],
    ['METADATA_MAX_TAGS', ' 32 ', { maxTags: 32 }],
  ];

  for (const [name, value, expected] of cases) {
    test(`${name}=${JSON.stringify(value)}`, () => {
      assert.deepEqual(loadConfig({ [name]: value }, []), { ...DEFAULTS, ...expected });
    });
  }
});

describe('loadConfig flags', () => {
  test('flag with equals sign', () => {
    assert.equal(loadConfig({}, ['--max-tags=10']).maxTags, 10);
  });

  test('flag with separate value', () => {
    const config = loadConfig({}, ['--log-level', 'warn', '--http-port', '9091']);
    assert.equal(config.logLevel, 'warn');
    assert.equal(config.httpPort, 9091);
  });

  test('flag wins over variable', () => {
    const config = loadConfig({ METADATA_MAX_TAGS: '100', METADATA_HTTP_PORT: '1' }, [
      '--max-tags=5',
    ]);
    assert.equal(config.maxTags, 5);
    assert.equal(config.httpPort, 1);
  });

  test('invalid variable overridden by a flag', () => {
    assert.equal(loadConfig({ METADATA_MAX_TAGS: 'abc' }, ['--max-tags=5']).maxTags, 5);
  });

  test('last repeated flag wins', () => {
    assert.equal(loadConfig({}, ['--max-tags=5', '--max-tags=6']).maxTags, 6);
  });

  test('list flag', () => {
    const config = loadConfig({}, ['--watch-namespaces=payments,platform']);
    assert.deepEqual(config.watchNamespaces, ['payments', 'platform']);
  });

  test('empty list flag watches all namespaces', () => {
    const config = loadConfig({ METADATA_WATCH_NAMESPACES: 'payments' }, ['--watch-namespaces=']);
    assert.deepEqual(config.watchNamespaces, []);
  });

  test('kubeconfig flag', () => {
    assert.equal(loadConfig({}, ['--kubeconfig', '/tmp/kc']).kubeconfig, '/tmp/kc');
  });

  test('help flags skipped', () => {
    assert.deepEqual(loadConfig({}, ['--help', '-h']), DEFAULTS);
  });
});

describe('loadConfig errors', () => {
  const invalid: ReadonlyArray<{ env?: NodeJS.ProcessEnv; argv?: string[]; message: string }> = [
    {
      env: { METADATA_MAX_TAGS: '900' },
      message: 'invalid METADATA_MAX_TAGS (--max-tags) "900": must be an integer from 1 to 256',
    },
    {
      argv: ['--max-tags=0'],
      message: 'invalid METADATA_MAX_TAGS (--max-tags) "0": must be an integer from 1 to 256',
    },
    {
      argv: ['--max-tags=1.5'],
      message: 'invalid METADATA_MAX_TAGS (--max-tags) "1.5": must be an integer from 1 to 256',
    },
    {
      argv: ['--max-tags=1e2'],
      message: 'invalid METADATA_MAX_TAGS (--max-tags) "1e2": must be an integer from 1 to 256',
    },
    {
      argv: ['--max-tags=-3'],
      message: 'invalid METADATA_MAX_TAGS (--max-tags) "-3": must be an integer from 1 to 256',
    },
    {
      argv: ['--max-tags=99999999999999999999'],
      message: '"99999999999999999999": must be an integer from 1 to 256',
    },
    {
      env: { METADATA_MAX_TAG_LENGTH: '64' },
      message:
        'invalid METADATA_MAX_TAG_LENGTH (--max-tag-length) "64": must be an integer from 1 to 63',
    },
    {
      env: { METADATA_MAX_ATTRIBUTES: '65' },
      message:
        'invalid METADATA_MAX_ATTRIBUTES (--max-attributes) "65": must be an integer from 0 to 64',
    },
    {
      env: { METADATA_MAX_ATTRIBUTE_VALUE_LENGTH: '0' },
      message: '(--max-attribute-value-length) "0": must be an integer from 1 to 256',
    },
    {
      env: { METADATA_HTTP_PORT: '65536' },
      message:
        'invalid METADATA_HTTP_PORT (--http-port) "65536": must be an integer from 0 to 65535',
    },
    {
      env: { METADATA_HTTP_PORT: 'tcp://10.0.0.1:8080' },
      message: 'invalid METADATA_HTTP_PORT (--http-port) "tcp://10.0.0.1:8080"',
    },
    {
      env: { METADATA_METRICS_PORT: '8080' },
      message:
        'invalid METADATA_METRICS_PORT (--metrics-port) "8080": must differ from ' +
        'METADATA_HTTP_PORT (--http-port), which is 8080',
    },
    {
      argv: ['--http-port=9090'],
      message: 'invalid METADATA_METRICS_PORT (--metrics-port) "9090": must differ from',
    },
    {
      env: { METADATA_METRICS_HOST: 'not a host' },
      message: 'invalid METADATA_METRICS_HOST (--metrics-host) "not a host": must be an IPv4',
    },
    {
      env: { METADATA_INFO_METRIC: 'yes' },
      message: 'invalid METADATA_INFO_METRIC (--info-metric) "yes": must be true or false',
    },
    {
      env: { METADATA_INFO_METRIC_MAX_SERIES: '0' },
      message:
        'invalid METADATA_INFO_METRIC_MAX_SERIES (--info-metric-max-series) "0": ' +
        'must be an integer from 1 to 1000000',
    },
    {
      env: { METADATA_LIST_PAGE_SIZE: '5001' },
      message:
        'invalid METADATA_LIST_PAGE_SIZE (--list-page-size) "5001": ' +
        'must be an integer from 1 to 5000',
    },
    {
      env: { METADATA_WATCH_TIMEOUT_SECONDS: '29' },
      message: '(--watch-timeout-seconds) "29": must be an integer from 30 to 3600',
    },
    {
      env: { METADATA_WATCH_INACTIVITY_TIMEOUT_SECONDS: '4' },
      message: '(--watch-inactivity-timeout-seconds) "4": must be an integer from 5 to 3600',
    },
    {
      env: { METADATA_STATUS_WORKERS: '65' },
      message:
        'invalid METADATA_STATUS_WORKERS (--status-workers) "65": must be an integer from 1 to 64',
    },
    {
      env: { METADATA_CACHE_TTL_SECONDS: '0' },
      message: 'invalid METADATA_CACHE_TTL_SECONDS (--cache-ttl-seconds) "0"',
    },
    {
      env: { METADATA_LOG_LEVEL: 'verbose' },
      message:
        'invalid METADATA_LOG_LEVEL (--log-level) "verbose": must be one of fatal, error, warn, ' +
        'info, debug, trace, silent',
    },
    {
      env: { METADATA_AUTH: 'token' },
      message: 'invalid METADATA_AUTH (--auth) "token": must be one of kubernetes, none',
    },
    {
      env: { METADATA_AUTH_CACHE_TTL_SECONDS: '301' },
      message: '(--auth-cache-ttl-seconds) "301": must be an integer from 1 to 300',
    },
    {
      env: { METADATA_HTTP_HOST: 'not a host' },
      message: 'invalid METADATA_HTTP_HOST (--http-host) "not a host": must be an IPv4 address',
    },
    {
      env: { METADATA_WATCH_NAMESPACES: 'payments,Store_Front' },
      message:
        'invalid METADATA_WATCH_NAMESPACES (--watch-namespaces) "payments,Store_Front": ' +
        'entry "Store_Front" must be a DNS-1123 label',
    },
    {
      argv: ['--allowed-environments=prod,-qa'],
      message:
        'invalid METADATA_ALLOWED_ENVIRONMENTS (--allowed-environments) "prod,-qa": entry "-qa" ' +
        'must be a DNS-1123 label',
    },
    {
      env: { METADATA_BACKOFF_INITIAL_MS: '60000' },
      message:
        'invalid METADATA_BACKOFF_MAX_MS (--backoff-max-ms) "30000": must be at least ' +
        'METADATA_BACKOFF_INITIAL_MS (--backoff-initial-ms), which is 60000',
    },
    {
      env: { METADATA_HTTP_HEADERS_TIMEOUT_MS: '40000' },
      message:
        'invalid METADATA_HTTP_HEADERS_TIMEOUT_MS (--http-headers-timeout-ms) "40000": must be ' +
        'at most METADATA_HTTP_REQUEST_TIMEOUT_MS (--http-request-timeout-ms), which is 30000',
    },
    {
      argv: ['--http-max-url-length=16384'],
      message:
        'invalid METADATA_HTTP_MAX_URL_LENGTH (--http-max-url-length) "16384": must be less ' +
        'than METADATA_HTTP_MAX_HEADER_SIZE (--http-max-header-size), which is 16384',
    },
    {
      argv: ['--http-max-selector-length=5000'],
      message:
        'invalid METADATA_HTTP_MAX_SELECTOR_LENGTH (--http-max-selector-length) "5000": must be ' +
        'an integer from 1 to 4096',
    },
    {
      argv: ['--http-max-connections=0'],
      message:
        'invalid METADATA_HTTP_MAX_CONNECTIONS (--http-max-connections) "0": must be an ' +
        'integer from 1 to 1000000',
    },
    {
      argv: ['--kubeconfig='],
      message: 'invalid METADATA_KUBECONFIG (--kubeconfig) "": must be a file path',
    },
  ];

  for (const { env = {}, argv = [], message } of invalid) {
    test(`rejects ${JSON.stringify(env)} ${argv.join(' ')}`, () => {
      const error = configError(env, argv);
      assert.ok(error.message.includes(message), error.message);
    });
  }

  test('error names the setting key', () => {
    assert.equal(configError({ METADATA_MAX_TAGS: '900' }, []).setting, 'maxTags');
  });

  test('unknown flag', () => {
    const error = configError({}, ['--max-tag=5']);
    assert.equal(error.message, 'unknown flag --max-tag: run with --help to list the flags');
    assert.equal(error.setting, undefined);
  });

  test('flag without a value', () => {
    assert.equal(
      configError({}, ['--max-tags']).message,
      'missing value for --max-tags (METADATA_MAX_TAGS)',
    );
  });

  test('flag followed by another flag', () => {
    const error = configError({}, ['--log-level', '--max-tags=5']);
    assert.equal(error.message, 'missing value for --log-level (METADATA_LOG_LEVEL)');
  });

  test('positional argument', () => {
    const error = configError({}, ['serve']);
    assert.ok(error.message.startsWith('unexpected argument "serve"'), error.message);
  });

  test('single-dash flag', () => {
    assert.ok(configError({}, ['-v']).message.startsWith('unexpected argument "-v"'));
  });
});

describe('configHelp', () => {
  const help = configHelp();
  const settings: ReadonlyArray<[string, string, string]> = [
    ['--watch-namespaces', 'METADATA_WATCH_NAMESPACES', 'none'],
    ['--max-tags', 'METADATA_MAX_TAGS', '64'],
    ['--max-tag-length', 'METADATA_MAX_TAG_LENGTH', '63'],
    ['--allowed-environments', 'METADATA_ALLOWED_ENVIRONMENTS', 'none'],
    ['--max-attributes', 'METADATA_MAX_ATTRIBUTES', '32'],
    ['--max-attribute-value-length', 'METADATA_MAX_ATTRIBUTE_VALUE_LENGTH', '256'],
    ['--cache-max-entries', 'METADATA_CACHE_MAX_ENTRIES', '1024'],
    ['--cache-max-bytes', 'METADATA_CACHE_MAX_BYTES', '67108864'],
    ['--cache-ttl-seconds', 'METADATA_CACHE_TTL_SECONDS', '300'],
    ['--http-port', 'METADATA_HTTP_PORT', '8080'],
    ['--http-host', 'METADATA_HTTP_HOST', '0.0.0.0'],
    ['--http-max-url-length', 'METADATA_HTTP_MAX_URL_LENGTH', '8192'],
    ['--http-max-parameters', 'METADATA_HTTP_MAX_PARAMETERS', '256'],
    ['--http-max-values-per-parameter', 'METADATA_HTTP_MAX_VALUES_PER_PARAMETER', '64'],
    ['--http-max-selector-length', 'METADATA_HTTP_MAX_SELECTOR_LENGTH', '4096'],
    ['--http-max-header-size', 'METADATA_HTTP_MAX_HEADER_SIZE', '16384'],
    ['--http-headers-timeout-ms', 'METADATA_HTTP_HEADERS_TIMEOUT_MS', '10000'],
    ['--http-request-timeout-ms', 'METADATA_HTTP_REQUEST_TIMEOUT_MS', '30000'],
    ['--http-keep-alive-timeout-ms', 'METADATA_HTTP_KEEP_ALIVE_TIMEOUT_MS', '5000'],
    ['--http-max-connections', 'METADATA_HTTP_MAX_CONNECTIONS', '1024'],
    ['--http-max-watch-streams', 'METADATA_HTTP_MAX_WATCH_STREAMS', '100'],
    ['--http-max-watch-streams-per-caller', 'METADATA_HTTP_MAX_WATCH_STREAMS_PER_CALLER', '10'],
    ['--auth', 'METADATA_AUTH', 'kubernetes'],
    ['--auth-audience', 'METADATA_AUTH_AUDIENCE', 'metadata-operator'],
    ['--auth-cache-ttl-seconds', 'METADATA_AUTH_CACHE_TTL_SECONDS', '10'],
    ['--auth-cache-max-entries', 'METADATA_AUTH_CACHE_MAX_ENTRIES', '10000'],
    ['--metrics-port', 'METADATA_METRICS_PORT', '9090'],
    ['--metrics-host', 'METADATA_METRICS_HOST', '0.0.0.0'],
    ['--info-metric', 'METADATA_INFO_METRIC', 'false'],
    ['--info-metric-max-series', 'METADATA_INFO_METRIC_MAX_SERIES', '10000'],
    ['--log-level', 'METADATA_LOG_LEVEL', 'info'],
    ['--list-page-size', 'METADATA_LIST_PAGE_SIZE', '500'],
    ['--watch-timeout-seconds', 'METADATA_WATCH_TIMEOUT_SECONDS', '300'],
    ['--watch-inactivity-timeout-seconds', 'METADATA_WATCH_INACTIVITY_TIMEOUT_SECONDS', '90'],
    ['--backoff-initial-ms', 'METADATA_BACKOFF_INITIAL_MS', '500'],
    ['--backoff-max-ms', 'METADATA_BACKOFF_MAX_MS', '30000'],
    ['--status-workers', 'METADATA_STATUS_WORKERS', '4'],
    ['--kubeconfig', 'METADATA_KUBECONFIG', 'none'],
    ['--leader-election', 'METADATA_LEADER_ELECTION', 'true'],
    ['--lease-name', 'METADATA_LEASE_NAME', 'metadata-operator'],
    ['--lease-namespace', 'METADATA_LEASE_NAMESPACE', 'default'],
    ['--lease-duration-seconds', 'METADATA_LEASE_DURATION_SECONDS', '15'],
    ['--renew-deadline-seconds', 'METADATA_RENEW_DEADLINE_SECONDS', '10'],
    ['--retry-period-seconds', 'METADATA_RETRY_PERIOD_SECONDS', '2'],
    ['--write-qps', 'METADATA_WRITE_QPS', '20'],
    ['--write-burst', 'METADATA_WRITE_BURST', '40'],
  ];

  for (const [flag, env, defaultText] of settings) {
    test(`lists ${flag}`, () => {
      assert.ok(help.includes(`${flag} (${env}, default: ${defaultText})`), help);
    });
  }

  test('every listed default loads', () => {
    const listed = [...help.matchAll(/^ {2}(--[a-z-]+) \([A-Z_]+, default: ([^)]+)\)$/gm)];
    const argv = listed
      .filter((match) => match[2] !== 'none')
      .map((match) => `${match[1]}=${match[2]}`);

    assert.equal(listed.length, settings.length);
    assert.deepEqual(loadConfig({}, argv), DEFAULTS);
  });

  test('states integer ranges', () => {
    assert.ok(help.includes('(an integer from 1 to 256)'));
  });
});

describe('helpRequested', () => {
  test('--help and -h', () => {
    assert.equal(helpRequested(['--help']), true);
    assert.equal(helpRequested(['--max-tags=3', '-h']), true);
    assert.equal(helpRequested(['--max-tags=3']), false);
  });
});
