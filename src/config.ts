/**
 * The operator's configuration: one zod schema with the defaults, read from `METADATA_*`
 * environment variables and command-line flags, where a flag wins over its variable.
 *
 * Every value arrives as a string. It is converted by kind (integer, comma-separated list or
 * string) and then validated by the schema, whose messages state the allowed values. `loadConfig`
 * turns the first issue into a `ConfigError` that names the variable, the flag and the value.
 *
 * Unknown flags are errors. Unknown `METADATA_*` variables are ignored on purpose: Kubernetes
 * injects variables such as `METADATA_OPERATOR_SERVICE_HOST` for any Service whose name starts
 * with `metadata`, so rejecting them would break start-up in an ordinary namespace.
 *
 * The configuration contains no secret (the kubeconfig is a path, never its contents), so the
 * object that `loadConfig` returns is safe to log as it is.
 *
 * NOTE: the caps of maxTags, maxTagLength, maxAttributes and maxAttributeValueLength equal the
 * hard limits in `src/api/limits.ts`, which this module cannot import because it is the bottom
 * layer. A unit test of `src/api` checks that the two agree.
 */
import { isIP } from 'node:net';

import { z } from 'zod';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_LABEL_RULE =
  "must be a DNS-1123 label: at most 63 lowercase letters, digits and '-', starting and ending " +
  'with a letter or digit';
const HOSTNAME =
  /^[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?)*$/;
const HOST_RULE = 'must be an IPv4 address, an IPv6 address or a host name';
const HOSTNAME_MAX_LENGTH = 253;

/** The values of `auth`: check callers with the API server, or let every caller read everything. */
export const AUTH_MODES = ['kubernetes', 'none'] as const;

/** The pino levels that `logLevel` accepts, from the most to the least severe. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Returns an integer schema whose every message states the allowed range. */
function integer(min: number, max: number): z.ZodInt {
  const rule = `must be an integer from ${min} to ${max}`;
  return z.int({ error: rule }).min(min, { error: rule }).max(max, { error: rule });
}

/** Returns a schema of a list of DNS-1123 labels with duplicates removed. */
function labelList() {
  const label = z
    .string()
    .max(63, { abort: true, error: DNS1123_LABEL_RULE })
    .regex(DNS1123_LABEL, { error: DNS1123_LABEL_RULE });
  return z.array(label).transform((labels) => [...new Set(labels)]);
}

function isHost(host: string): boolean {
  return isIP(host) !== 0 || (host.length <= HOSTNAME_MAX_LENGTH && HOSTNAME.test(host));
}

/** The zod schema of `MetadataConfig`; each field's default serves a real cluster. */
export const metadataConfigSchema = z
  .strictObject({
    /** Namespaces to watch; empty watches all namespaces. Default: empty. */
    watchNamespaces: labelList().default([]),
    /** The maximum number of tags of one object. Default: 64; at most the hard cap of 256. */
    maxTags: integer(1, 256).default(64),
    /** The maximum length of one tag, in characters. Default: 63, which is also the cap. */
    maxTagLength: integer(1, 63).default(63),
    /** The environments that a spec may name; empty allows any DNS-1123 label. Default: empty. */
    allowedEnvironments: labelList().default([]),
    /** The maximum number of attributes of one object. Default: 32; at most the cap of 64. */
    maxAttributes: integer(0, 64).default(32),
    /** The maximum length of one attribute value, in characters. Default: 256, also the cap. */
    maxAttributeValueLength: integer(1, 256).default(256),
    /** The maximum number of query results that the HTTP endpoint caches. Default: 1024. */
    cacheMaxEntries: integer(1, 1_000_000).default(1024),
    /** The approximate size bound of the query cache, in bytes of serialized results. Default: 64 MiB. */
    cacheMaxBytes: integer(1024, 4_294_967_296).default(64 * 1024 * 1024),
    /** How long a cached query result may be served, in seconds. Default: 300. */
    cacheTtlSeconds: integer(1, 86_400).default(300),
    /** The TCP port of the HTTP endpoint; 0 picks a free port. Default: 8080. */
    httpPort: integer(0, 65_535).default(8080),
    /** The address that the HTTP endpoint listens on. Default: `0.0.0.0`, every IPv4 address. */
    httpHost: z
      .string({ error: HOST_RULE })
      .refine(isHost, { error: HOST_RULE })
      .default('0.0.0.0'),
    /** The maximum length of a request URL, path and query string, in characters. Default: 8192. */
    httpMaxUrlLength: integer(256, 1_048_576).default(8192),
    /** The maximum number of query parameters of one request, repeats included. Default: 256. */
    httpMaxParameters: integer(1, 65_536).default(256),
    /** The maximum number of occurrences of one list parameter, such as `tag`. Default: 64. */
    httpMaxValuesPerParameter: integer(1, 4096).default(64),
    /** The maximum length of a label selector, in characters; 4096 is the cap. Default: 4096. */
    httpMaxSelectorLength: integer(1, 4096).default(4096),
    /** The maximum size of the request line and headers, in bytes. Default: 16384 (16 KiB). */
    httpMaxHeaderSize: integer(1024, 1_048_576).default(16_384),
    /** The time within which the request headers must arrive, in milliseconds. Default: 10000. */
    httpHeadersTimeoutMs: integer(100, 3_600_000).default(10_000),
    /**
     * The time within which the whole request must arrive, in milliseconds. It does not limit
     * the response, so watch streams and waiting requests outlive it. Default: 30000.
     */
    httpRequestTimeoutMs: integer(100, 3_600_000).default(30_000),
    /** The idle time after which a keep-alive connection closes, in milliseconds. Default: 5000. */
    httpKeepAliveTimeoutMs: integer(100, 3_600_000).default(5000),
    /** The maximum number of open connections to the HTTP endpoint. Default: 1024. */
    httpMaxConnections: integer(1, 1_000_000).default(1024),
    /** The maximum number of watch streams open at once. Default: 100. */
    httpMaxWatchStreams: integer(1, 100_000).default(100),
    /** The maximum number of watch streams that one caller may have open. Default: 10. */
    httpMaxWatchStreamsPerCaller: integer(1, 100_000).default(10),
    /**
     * The check of the HTTP endpoint's callers. `kubernetes` requires a bearer token and checks it
     * with a TokenReview. Each caller then sees only the namespaces where a SubjectAccessReview
     * allows it to list ServiceMetadata. `none` shows every caller every namespace.
     * Default: `kubernetes`.
     */
    auth: z
      .enum(AUTH_MODES, { error: `must be one of ${AUTH_MODES.join(', ')}` })
      .default('kubernetes'),
    /** The audience that a caller's token must be issued for. Default: `metadata-operator`. */
    authAudience: z
      .string()
      .min(1, { error: 'must be a non-empty audience' })
      .max(253, { error: 'must be at most 253 characters' })
      .default('metadata-operator'),
    /**
     * How long a token review and an access decision are reused, in seconds; a revoked
     * RoleBinding takes effect within this time. Default: 10.
     */
    authCacheTtlSeconds: integer(1, 300).default(10),
    /**
     * The maximum number of cached token reviews, and separately of cached access decisions.
     * Default: 10000.
     */
    authCacheMaxEntries: integer(1, 1_000_000).default(10_000),
    /**
     * The TCP port of the metrics endpoint (`GET /metrics`, `/healthz` and `/readyz`); 0 picks a
     * free port. Default: 9090.
     */
    metricsPort: integer(0, 65_535).default(9090),
    /** The address that the metrics endpoint listens on. Default: `0.0.0.0`. */
    metricsHost: z
      .string({ error: HOST_RULE })
      .refine(isHost, { error: HOST_RULE })
      .default('0.0.0.0'),
    /**
     * Whether to export `metadata_service_info`, one series per indexed object with its namespace,
     * name, service, version, environment and region. Default: false, because anyone who can
     * scrape the metrics could then read every namespace's metadata.
     */
    infoMetric: z.boolean({ error: 'must be true or false' }).default(false),
    /**
     * The maximum number of `metadata_service_info` series; further objects are left out.
     * Default: 10000.
     */
    infoMetricMaxSeries: integer(1, 1_000_000).default(10_000),
    /** The pino log level. Default: `info`. */
    logLevel: z
      .enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` })
      .default('info'),
    /** The `limit` of each list request to the API server. Default: 500. */
    listPageSize: integer(1, 5000).default(500),
    /** The server-side timeout of each watch request, in seconds. Default: 300. */
    watchTimeoutSeconds: integer(30, 3600).default(300),
    /**
     * How long a watch may receive nothing, not even a bookmark, before the operator abandons and
     * restarts it, in seconds. The kube-apiserver 1.37 watch cache sends a bookmark about once a
     * minute (its defaultBookmarkFrequency), so a value below 60 restarts quiet watches needlessly.
     * Default: 90.
     */
    watchInactivityTimeoutSeconds: integer(5, 3600).default(90),
    /** The first delay before a retry, in milliseconds. Default: 500. */
    backoffInitialMs: integer(1, 60_000).default(500),
    /** The maximum delay before a retry, in milliseconds. Default: 30000. */
    backoffMaxMs: integer(1, 3_600_000).default(30_000),
    /** The number of concurrent status writers. Default: 4. */
    statusWorkers: integer(1, 64).default(4),
    /** The kubeconfig file to load; absent leaves the choice to the Kubernetes client. */
    kubeconfig: z.string().min(1, { error: 'must be a file path' }).optional(),
    /**
     * Whether replicas elect a leader, the only one that writes status. Default: true. Turn it
     * off only for a single replica, such as local development.
     */
    leaderElection: z.boolean({ error: 'must be true or false' }).default(true),
    /** The name of the Lease that replicas compete for. Default: `metadata-operator`. */
    leaseName: z
      .string()
      .max(253, { abort: true, error: DNS1123_LABEL_RULE })
      .regex(DNS1123_LABEL, { error: DNS1123_LABEL_RULE })
      .default('metadata-operator'),
    /**
     * The namespace of the Lease. Default: the Pod's namespace from `POD_NAMESPACE`, which the
     * deploy manifests set; `default` where it is not set.
     */
    leaseNamespace: z
      .string()
      .max(63, { abort: true, error: DNS1123_LABEL_RULE })
      .regex(DNS1123_LABEL, { error: DNS1123_LABEL_RULE })
      .default('default'),
    /** How long a Lease stays valid without a renewal, in seconds. Default: 15. */
    leaseDurationSeconds: integer(2, 600).default(15),
    /** How long a leader keeps trying to renew before it stops writing, in seconds. Default: 10. */
    renewDeadlineSeconds: integer(1, 599).default(10),
    /** The pause between attempts to acquire or renew the Lease, in seconds. Default: 2. */
    retryPeriodSeconds: integer(1, 300).default(2),
    /** Status patches and Events per second, on average, across the process. Default: 20. */
    writeQps: integer(1, 10_000).default(20),
    /** Writes that may go out at once after a quiet period. Default: 40. */
    writeBurst: integer(1, 100_000).default(40),
  })
  .superRefine((config, context) => {
    if (config.renewDeadlineSeconds >= config.leaseDurationSeconds) {
      context.addIssue({
        code: 'custom',
        path: ['renewDeadlineSeconds'],
        message:
          'must be less than METADATA_LEASE_DURATION_SECONDS (--lease-duration-seconds), which is ' +
          `${config.leaseDurationSeconds}, so that a leader stops writing before its Lease expires`,
      });
    }
    if (config.httpHeadersTimeoutMs > config.httpRequestTimeoutMs) {
      context.addIssue({
        code: 'custom',
        path: ['httpHeadersTimeoutMs'],
        message:
          'must be at most METADATA_HTTP_REQUEST_TIMEOUT_MS (--http-request-timeout-ms), which is ' +
          `${config.httpRequestTimeoutMs}`,
      });
    }
    if (config.httpMaxUrlLength >= config.httpMaxHeaderSize) {
      context.addIssue({
        code: 'custom',
        path: ['httpMaxUrlLength'],
        message:
          'must be less than METADATA_HTTP_MAX_HEADER_SIZE (--http-max-header-size), which is ' +
          `${config.httpMaxHeaderSize}, because the request line counts toward the header size`,
      });
    }
    if (config.metricsPort !== 0 && config.metricsPort === config.httpPort) {
      context.addIssue({
        code: 'custom',
        path: ['metricsPort'],
        message:
          'must differ from METADATA_HTTP_PORT (--http-port), which is ' +
          `${config.httpPort}, because the metrics endpoint is a server of its own`,
      });
    }
    if (config.backoffMaxMs < config.backoffInitialMs) {
      context.addIssue({
        code: 'custom',
        path: ['backoffMaxMs'],
        message:
          'must be at least METADATA_BACKOFF_INITIAL_MS (--backoff-initial-ms), which is ' +
          `${config.backoffInitialMs}`,
      });
    }
  });

/** The operator's configuration, as `loadConfig` returns it; it contains no secret. */
export type MetadataConfig = z.output<typeof metadataConfigSchema>;

/** The conversion of a setting's string before the schema validates it. */
type SettingKind = 'integer' | 'list' | 'string' | 'boolean';

/** One setting: its key in `MetadataConfig`, its variable, its flag and a line of help. */
interface Setting {
  key: keyof MetadataConfig;
  env: string;
  flag: string;
  kind: SettingKind;
  help: string;
}

/** Every setting, in the order that `configHelp` lists them. */
const SETTINGS: readonly Setting[] = [
  setting('watchNamespaces', 'list', 'namespaces to watch, comma-separated; empty watches all'),
  setting('maxTags', 'integer', 'maximum number of tags of one object'),
  setting('maxTagLength', 'integer', 'maximum length of one tag, in characters'),
  setting('allowedEnvironments', 'list', 'allowed environments, comma-separated; empty allows any'),
  setting('maxAttributes', 'integer', 'maximum number of attributes of one object'),
  setting(
    'maxAttributeValueLength',
    'integer',
    'maximum length of an attribute value, in characters',
  ),
  setting('cacheMaxEntries', 'integer', 'maximum number of cached query results'),
  setting('cacheMaxBytes', 'integer', 'approximate size bound of cached query results, in bytes'),
  setting('cacheTtlSeconds', 'integer', 'lifetime of a cached query result, in seconds'),
  setting('httpPort', 'integer', 'TCP port of the HTTP endpoint; 0 picks a free port'),
  setting('httpHost', 'string', 'address that the HTTP endpoint listens on'),
  setting('httpMaxUrlLength', 'integer', 'maximum length of a request URL, in characters'),
  setting('httpMaxParameters', 'integer', 'maximum number of query parameters, repeats included'),
  setting('httpMaxValuesPerParameter', 'integer', 'maximum occurrences of one list parameter'),
  setting('httpMaxSelectorLength', 'integer', 'maximum length of a label selector, in characters'),
  setting('httpMaxHeaderSize', 'integer', 'maximum size of request line and headers, in bytes'),
  setting('httpHeadersTimeoutMs', 'integer', 'time to receive request headers, in milliseconds'),
  setting(
    'httpRequestTimeoutMs',
    'integer',
    'time to receive a whole request, in milliseconds; responses and watches are not limited',
  ),
  setting('httpKeepAliveTimeoutMs', 'integer', 'idle time of a keep-alive connection, in ms'),
  setting('httpMaxConnections', 'integer', 'maximum open connections; more are closed at once'),
  setting('httpMaxWatchStreams', 'integer', 'maximum watch streams open at once'),
  setting('httpMaxWatchStreamsPerCaller', 'integer', 'maximum watch streams of one client'),
  setting(
    'auth',
    'string',
    `how the HTTP endpoint checks callers: ${AUTH_MODES.join(', ')} (none lets anyone read all)`,
  ),
  setting('authAudience', 'string', 'audience that a caller token must be issued for'),
  setting(
    'authCacheTtlSeconds',
    'integer',
    'lifetime of a cached token or access decision, in seconds',
  ),
  setting('authCacheMaxEntries', 'integer', 'maximum number of cached token and access decisions'),
  setting('metricsPort', 'integer', 'TCP port of the metrics endpoint; 0 picks a free port'),
  setting('metricsHost', 'string', 'address that the metrics endpoint listens on'),
  setting(
    'infoMetric',
    'boolean',
    'whether to export metadata_service_info, which shows every namespace to scrapers',
  ),
  setting('infoMetricMaxSeries', 'integer', 'maximum number of metadata_service_info series'),
  setting('logLevel', 'string', `log level: ${LOG_LEVELS.join(', ')}`),
  setting('listPageSize', 'integer', 'number of objects per list request'),
  setting('watchTimeoutSeconds', 'integer', 'server-side timeout of a watch, in seconds'),
  setting(
    'watchInactivityTimeoutSeconds',
    'integer',
    'time without any data, bookmarks included, after which a watch restarts, in seconds',
  ),
  setting('backoffInitialMs', 'integer', 'first retry delay, in milliseconds'),
  setting('backoffMaxMs', 'integer', 'maximum retry delay, in milliseconds'),
  setting('statusWorkers', 'integer', 'number of concurrent status writers'),
  setting('kubeconfig', 'string', 'kubeconfig file; absent uses the Kubernetes client default'),
  setting('leaderElection', 'boolean', 'whether replicas elect one leader to write status'),
  setting('leaseName', 'string', 'name of the Lease that replicas compete for'),
  setting('leaseNamespace', 'string', 'namespace of the Lease; default POD_NAMESPACE or default'),
  setting('leaseDurationSeconds', 'integer', 'validity of the Lease without renewal, in seconds'),
  setting('renewDeadlineSeconds', 'integer', 'time a leader tries to renew, in seconds'),
  setting('retryPeriodSeconds', 'integer', 'pause between Lease attempts, in seconds'),
  setting('writeQps', 'integer', 'status patches and Events per second, on average'),
  setting('writeBurst', 'integer', 'writes that may go out at once after a quiet period'),
];

/** Derives the variable (`METADATA_MAX_TAGS`) and flag (`--max-tags`) names from the key. */
function setting(key: keyof MetadataConfig, kind: SettingKind, help: string): Setting {
  const words = key.replace(/[A-Z]/g, (letter) => ` ${letter.toLowerCase()}`).split(' ');
  return {
    key,
    env: `METADATA_${words.join('_').toUpperCase()}`,
    flag: `--${words.join('-')}`,
    kind,
    help,
  };
}

const SETTINGS_BY_FLAG = new Map(SETTINGS.map((entry) => [entry.flag, entry]));
const HELP_FLAGS = new Set(['--help', '-h']);
const SAFE_INTEGER_TEXT = /^[0-9]{1,15}$/;

/**
 * An invalid configuration: an unknown flag, a flag without a value or a value outside what a
 * setting allows. The message names the variable, the flag, the value and what is allowed.
 */
export class ConfigError extends Error {
  /** The setting's key in `MetadataConfig`, when the error concerns one setting. */
  readonly setting: keyof MetadataConfig | undefined;

  constructor(message: string, setting?: keyof MetadataConfig) {
    super(message);
    this.name = 'ConfigError';
    this.setting = setting;
  }
}

/** Reports whether the arguments ask for help (`--help` or `-h`), which `loadConfig` ignores. */
export function helpRequested(argv: readonly string[]): boolean {
  return argv.some((argument) => HELP_FLAGS.has(argument));
}

/**
 * Reads the configuration from environment variables and flags. A flag wins over its variable,
 * an empty variable counts as unset, and the last of repeated flags wins. `argv` contains only the
 * arguments, as `process.argv.slice(2)`. `--help` and `-h` are skipped, so a caller checks
 * `helpRequested` first.
 *
 * @throws ConfigError naming the setting, its variable and flag, the value and what is allowed,
 *   or naming an unknown flag, a flag without a value or an unexpected argument.
 */
export function loadConfig(env: NodeJS.ProcessEnv, argv: readonly string[]): MetadataConfig {
  const raw = new Map<Setting, string>();

  for (const entry of SETTINGS) {
    const value = env[entry.env];
    if (value !== undefined && value.trim() !== '') {
      raw.set(entry, value);
    }
  }
  for (const [entry, value] of readFlags(argv)) {
    raw.set(entry, value);
  }

  const input: Record<string, unknown> = {};
  // Inside a Pod the downward API sets POD_NAMESPACE, the natural home of the Lease.
  const podNamespace = env.POD_NAMESPACE?.trim();
  if (podNamespace !== undefined && podNamespace !== '') {
    input.leaseNamespace = podNamespace;
  }
  for (const [entry, value] of raw) {
    input[entry.key] = convert(entry.kind, value);
  }

  const parsed = metadataConfigSchema.safeParse(input);
  if (!parsed.success) {
    throw configErrorFromIssue(parsed.error.issues[0], raw);
  }
  return parsed.data;
}

/** Returns the settings that the flags set, in argument order. */
function readFlags(argv: readonly string[]): Array<[Setting, string]> {
  const values: Array<[Setting, string]> = [];

  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index] ?? '';
    if (HELP_FLAGS.has(argument)) {
      continue;
    }
    if (!argument.startsWith('--')) {
      throw new ConfigError(
        `unexpected argument ${JSON.stringify(argument)}: settings are flags such as --max-tags=64`,
      );
    }

    const equals = argument.indexOf('=');
    const flag = equals === -1 ? argument : argument.slice(0, equals);
    const entry = SETTINGS_BY_FLAG.get(flag);
    if (entry === undefined) {
      throw new ConfigError(`unknown flag ${flag}: run with --help to list the flags`);
    }

    let value = equals === -1 ? undefined : argument.slice(equals + 1);
    if (value === undefined) {
      const next = argv[index + 1];
      value = next === undefined || next.startsWith('--') ? undefined : next;
      index += value === undefined ? 0 : 1;
    }
    if (value === undefined) {
      throw new ConfigError(`missing value for ${flag} (${entry.env})`, entry.key);
    }
    values.push([entry, value]);
  }
  return values;
}

/**
 * Converts a setting's string for the schema. Text that is not an integer stays a string, so
 * that the schema rejects it with the setting's own rule.
 */
function convert(kind: SettingKind, value: string): unknown {
  const trimmed = value.trim();
  switch (kind) {
    case 'integer':
      return SAFE_INTEGER_TEXT.test(trimmed) ? Number(trimmed) : trimmed;
    case 'list':
      return trimmed
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== '');
    case 'string':
      return trimmed;
    case 'boolean':
      // Any other text is passed on unchanged, so that the schema rejects it with its message.
      if (trimmed === 'true' || trimmed === 'false') {
        return trimmed === 'true';
      }
      return trimmed;
  }
}

function configErrorFromIssue(
  issue: z.core.$ZodIssue | undefined,
  raw: ReadonlyMap<Setting, string>,
): ConfigError {
  const key = issue?.path[0];
  const entry = SETTINGS.find((candidate) => candidate.key === key);
  if (issue === undefined || entry === undefined) {
    return new ConfigError(`invalid configuration: ${issue?.message ?? 'unknown error'}`);
  }

  // A cross-field rule can reject a default, so the value shown may be a default, not a setting.
  const value = raw.get(entry) ?? String(metadataConfigSchema.parse({})[entry.key]);
  const subject = listEntrySubject(issue.path[1], value);
  return new ConfigError(
    `invalid ${entry.env} (${entry.flag}) ${JSON.stringify(value)}: ${subject}${issue.message}`,
    entry.key,
  );
}

/** Returns `entry "x" ` for an issue about one entry of a list setting, else an empty string. */
function listEntrySubject(index: PropertyKey | undefined, value: string): string {
  if (typeof index !== 'number') {
    return '';
  }
  const entries = convert('list', value);
  const entry: unknown = Array.isArray(entries) ? entries[index] : undefined;
  return `entry ${JSON.stringify(entry)} `;
}

/** Returns `(an integer from 1 to 256)` for an integer setting, read from the schema. */
function integerRange(key: keyof MetadataConfig): string {
  const field = metadataConfigSchema.shape[key];
  const inner = field instanceof z.ZodDefault ? field.unwrap() : field;
  if (!(inner instanceof z.ZodNumber)) {
    return '';
  }
  return ` (an integer from ${inner.minValue} to ${inner.maxValue})`;
}

/** Returns help text that lists every flag with its variable, its default and what it sets. */
export function configHelp(): string {
  const defaults = metadataConfigSchema.parse({});
  const lines = ['Settings (a flag wins over its environment variable):', ''];

  for (const entry of SETTINGS) {
    const value = defaults[entry.key];
    const text = Array.isArray(value) ? value.join(',') : String(value ?? '');
    const defaultText = text === '' ? 'none' : text;
    lines.push(`  ${entry.flag} (${entry.env}, default: ${defaultText})`);
    lines.push(`      ${entry.help}${integerRange(entry.key)}`);
  }
  return lines.join('\n');
}
