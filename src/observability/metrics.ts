/**
 * The prom-client registry and every metric the operator exports. Metrics are created once per
 * registry, so that tests can build a fresh set without clashing with the process-wide default.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The metrics of one operator process. */
export interface Metrics {
  readonly registry: Registry;
  /** Status reconciles by result: `written`, `unchanged`, `conflict`, `error`. */
  readonly reconcileTotal: Counter<'result'>;
  readonly reconcileDurationSeconds: Histogram;
  readonly reconcileErrorsTotal: Counter;
  /** Keys waiting in a status work queue, by resource: the plural of the reconciled kind. */
  readonly queueDepth: Gauge<'resource'>;
  /** Keys put back into a work queue with backoff after a conflict or a failed write. */
  readonly queueRetriesTotal: Counter;
  /** Full lists, the first one included, by reason: `initial`, `gone` (410) or `error`. */
  readonly relistsTotal: Counter<'resource' | 'reason'>;
  readonly watchRestartsTotal: Counter;
  readonly watchEventsTotal: Counter<'type'>;
  /** Objects currently stored, by state: `indexed` (valid) and `invalid`. */
  readonly objects: Gauge<'state'>;
  /**
   * Valid objects in the index, by namespace. A namespace without indexed objects has no series.
   */
  readonly indexObjects: Gauge<'namespace'>;
  /** Valid objects that currently share their service, environment, region and version. */
  readonly conflictingObjects: Gauge;
  /** Seconds since the last list, watch event or bookmark: the age of the last sync. */
  readonly indexStaleSeconds: Gauge;
  /** 1 once every watched namespace was listed and watched, as `/readyz` reports, else 0. */
  readonly ready: Gauge;
  readonly queryDurationSeconds: Histogram<'route'>;
  readonly queryCacheTotal: Counter<'result'>;
  /** Cache entries removed, by reason: `size` (a bound), `expired` (TTL), `invalidated`. */
  readonly queryCacheEvictionsTotal: Counter<'reason'>;
  readonly queryCacheEntries: Gauge;
  /** Approximate bytes of the cached results, as the cache's size calculation counts them. */
  readonly queryCacheBytes: Gauge;
  readonly httpRequestsTotal: Counter<'route' | 'code'>;
  /** TCP connections to the query endpoint open now. */
  readonly httpConnections: Gauge;
  /** Connections closed at once because `httpMaxConnections` were open. */
  readonly httpConnectionsRejectedTotal: Counter;
  /** Time to respond to an HTTP request, by route; a stream counts until its headers were sent. */
  readonly httpRequestDurationSeconds: Histogram<'route'>;
  /** 1 while this replica holds the leader Lease and writes status, else 0. */
  readonly leader: Gauge;
  /** Requests waiting now for a resourceVersion or for their result to change. */
  readonly waitingRequests: Gauge;
  /** Watch streams open now. */
  readonly watchStreams: Gauge;
  /** Watch streams ended, by reason: `client`, `expired`, `timeout`, `shutdown`, `error`. */
  readonly watchStreamsEndedTotal: Counter<'reason'>;
  /** Event writes that the API server rejected or that failed, by verb: `create` or `patch`. */
  readonly eventWriteErrorsTotal: Counter<'verb'>;
  /** One series of value 1 per indexed object, when the `infoMetric` setting turns it on. */
  readonly serviceInfo: Gauge<ServiceInfoLabel>;
  /** Indexed objects that `serviceInfo` leaves out because it reached its series cap. */
  readonly serviceInfoOmittedObjects: Gauge;
}

/** The labels of `metadata_service_info`. */
export type ServiceInfoLabel =
  'namespace' | 'name' | 'service' | 'version' | 'environment' | 'region';

/** Creates the operator's metrics in a new registry, with prom-client's default process metrics. */
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  return {
    registry,
    reconcileTotal: new Counter({
      name: 'metadata_reconcile_total',
      help: 'Status reconciles, by result.',
      labelNames: ['result'],
      registers,
    }),
    reconcileDurationSeconds: new Histogram({
      name: 'metadata_reconcile_duration_seconds',
      help: 'Time to reconcile the status of one object.',
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers,
    }),
    reconcileErrorsTotal: new Counter({
      name: 'metadata_reconcile_errors_total',
      help: 'Status reconciles that failed, whether requeued or rejected by the API server.',
      registers,
    }),
    queueDepth: new Gauge({
      name: 'metadata_workqueue_depth',
      help: 'Keys waiting in a status work queue, by resource.',
      labelNames: ['resource'],
      registers,
    }),
    queueRetriesTotal: new Counter({
      name: 'metadata_workqueue_retries_total',
      help: 'Keys requeued with backoff after a status write conflicted or failed.',
      registers,
    }),
    relistsTotal: new Counter({
      name: 'metadata_relists_total',
      help: 'Full lists by the reflectors, by resource (plural) and reason.',
      labelNames: ['resource', 'reason'],
      registers,
    }),
    watchRestartsTotal: new Counter({
      name: 'metadata_watch_restarts_total',
      help: 'Watches restarted after an error; a watch that its server-side timeout ended resumes uncounted.',
      registers,
    }),
    watchEventsTotal: new Counter({
      name: 'metadata_watch_events_total',
      help: 'Watch events received, by type.',
      labelNames: ['type'],
      registers,
    }),
    objects: new Gauge({
      name: 'metadata_objects',
      help: 'ServiceMetadata objects held, by state (indexed or invalid).',
      labelNames: ['state'],
      registers,
    }),
    indexObjects: new Gauge({
      name: 'metadata_index_objects',
      help: 'Valid ServiceMetadata objects in the index, by namespace.',
      labelNames: ['namespace'],
      registers,
    }),
    conflictingObjects: new Gauge({
      name: 'metadata_conflicting_objects',
      help: 'Valid objects that share service, environment, region and version with another.',
      registers,
    }),
    indexStaleSeconds: new Gauge({
      name: 'metadata_index_stale_seconds',
      help: 'Seconds since the last list, watch event or bookmark (the age of the last sync).',
      registers,
    }),
    ready: new Gauge({
      name: 'metadata_ready',
      help: '1 once every watched namespace was listed and watched (as /readyz), else 0.',
      registers,
    }),
    queryDurationSeconds: new Histogram({
      name: 'metadata_query_duration_seconds',
      help: 'Time to answer one HTTP query, by route.',
      labelNames: ['route'],
      buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5],
      registers,
    }),
    queryCacheTotal: new Counter({
      name: 'metadata_query_cache_total',
      help: 'Query cache look-ups, by result (hit or miss).',
      labelNames: ['result'],
      registers,
    }),
    queryCacheEvictionsTotal: new Counter({
      name: 'metadata_query_cache_evictions_total',
      help: 'Query cache entries removed, by reason (size, expired or invalidated).',
      labelNames: ['reason'],
      registers,
    }),
    queryCacheEntries: new Gauge({
      name: 'metadata_query_cache_entries',
      help: 'Query results in the cache.',
      registers,
    }),
    queryCacheBytes: new Gauge({
      name: 'metadata_query_cache_bytes',
      help: 'Approximate size of the cached query results, in bytes.',
      registers,
    }),
    httpRequestsTotal: new Counter({
      name: 'metadata_http_requests_total',
      help: 'HTTP requests answered, by route and status code.',
      labelNames: ['route', 'code'],
      registers,
    }),
    httpConnections: new Gauge({
      name: 'metadata_http_connections',
      help: 'TCP connections to the query endpoint open now.',
      registers,
    }),
    httpConnectionsRejectedTotal: new Counter({
      name: 'metadata_http_connections_rejected_total',
      help: 'TCP connections closed at once because the maximum number of connections was open.',
      registers,
    }),
    httpRequestDurationSeconds: new Histogram({
      name: 'metadata_http_request_duration_seconds',
      help: 'Time to respond to an HTTP request, by route; a stream until its headers were sent.',
      labelNames: ['route'],
      buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
      registers,
    }),
    leader: new Gauge({
      name: 'metadata_leader',
      help: '1 while this replica holds the leader Lease and writes status, else 0.',
      registers,
    }),
    waitingRequests: new Gauge({
      name: 'metadata_http_waiting_requests',
      help: 'HTTP requests waiting for a resourceVersion (minResourceVersion) or a change (waitForChange).',
      registers,
    }),
    watchStreams: new Gauge({
      name: 'metadata_http_watch_streams',
      help: 'Watch streams of GET /v1/services open now.',
      registers,
    }),
    watchStreamsEndedTotal: new Counter({
      name: 'metadata_http_watch_streams_ended_total',
      help: 'Watch streams ended, by reason (client, expired, timeout, shutdown or error).',
      labelNames: ['reason'],
      registers,
    }),
    eventWriteErrorsTotal: new Counter({
      name: 'metadata_event_write_errors_total',
      help: 'Event writes that failed, by verb (create or patch).',
      labelNames: ['verb'],
      registers,
    }),
    serviceInfo: new Gauge({
      name: 'metadata_service_info',
      help: 'Metadata of one indexed object, value 1; present only with the infoMetric setting.',
      labelNames: ['namespace', 'name', 'service', 'version', 'environment', 'region'],
      registers,
    }),
    serviceInfoOmittedObjects: new Gauge({
      name: 'metadata_service_info_omitted_objects',
      help: 'Indexed objects left out of metadata_service_info past infoMetricMaxSeries.',
      registers,
    }),
  };
}
