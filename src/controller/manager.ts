/**
 * The manager wires the controller layer together: one reflector per watched namespace (or one
 * for all namespaces), the handler that keeps the index up to date from their changes, and the
 * status reconciler with its work queue. It also reports readiness and staleness, and keeps the
 * index watermark at the oldest position over all reflectors.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { KubeConfig } from '@kubernetes/client-node';
import {
  CLUSTER_METADATA_QUERY_KIND,
  CLUSTER_METADATA_QUERY_PLURAL,
  METADATA_QUERY_KIND,
  METADATA_QUERY_PLURAL,
} from '../api/metadata-query.ts';
import { ConflictTracker } from '../api/conflicts.ts';
import type { ValidationLimits } from '../api/service-metadata.ts';
import {
  SERVICE_METADATA_KIND,
  SERVICE_METADATA_PLURAL,
  type ServiceMetadata,
  type ServiceMetadataStatus,
} from '../api/types.ts';
import type { MetadataIndex } from '../index/metadata-index.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { BackoffOptions } from './backoff.ts';
import { MetadataHandler } from './metadata-handler.ts';
import { Reflector } from './reflector/reflector.ts';
import type { Delta } from './reflector/store.ts';
import { minResourceVersion } from './resource-version.ts';
import { toStoredObject } from './reflector/strip.ts';
import { serviceMetadataStatus } from './service-metadata-status.ts';
import { EventRecorder } from './event-recorder.ts';
import { LeaderElector } from './leader-election.ts';
import { QueryController } from './query-controller.ts';
import { eventForStatusWrite } from './service-metadata-events.ts';
import { StatusReconciler } from './status-reconciler.ts';
import { WorkQueue } from './work-queue.ts';
import { WriteLimiter } from './write-limiter.ts';

/** How often the staleness gauge is refreshed. */
const STALENESS_REFRESH_MS = 1000;

/** The settings that the manager reads, a subset of `MetadataConfig`. */
export interface ManagerSettings extends ValidationLimits {
  /** Namespaces to watch; empty for all namespaces. */
  readonly watchNamespaces: readonly string[];
  readonly listPageSize: number;
  readonly watchTimeoutSeconds: number;
  readonly watchInactivityTimeoutSeconds: number;
  readonly backoffInitialMs: number;
  readonly backoffMaxMs: number;
  readonly statusWorkers: number;
  readonly leaderElection: boolean;
  readonly leaseName: string;
  readonly leaseNamespace: string;
  readonly leaseDurationSeconds: number;
  readonly renewDeadlineSeconds: number;
  readonly retryPeriodSeconds: number;
  readonly writeQps: number;
  readonly writeBurst: number;
}

/** Options of a `Manager`. */
export interface ManagerOptions {
  readonly settings: ManagerSettings;
  readonly kubeConfig: KubeConfig;
  readonly index: MetadataIndex;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** This replica's identity in the Lease. Default: the host name and a random suffix. */
  readonly identity?: string;
}

/** Readiness of the controller layer, with the reason while it is not ready. */
export interface Readiness {
  readonly ready: boolean;
  readonly reason?: string;
}

/** Runs the reflectors and the status reconciler. */
export class Manager {
  private readonly options: ManagerOptions;
  private readonly logger: Logger;
  private readonly queue: WorkQueue;
  private readonly handler: MetadataHandler;
  private readonly reflectors = new Map<string, Reflector<ServiceMetadata>>();
  private readonly reconciler: StatusReconciler<ServiceMetadata, ServiceMetadataStatus>;
  private readonly queries: QueryController[];
  private readonly elector?: LeaderElector;
  private refresh?: NodeJS.Timeout;
  private synced = false;

  constructor(options: ManagerOptions) {
    this.options = options;
    const { settings, kubeConfig, index, metrics } = options;
    this.logger = options.logger.child({ controller: 'servicemetadata' });
    const backoff: BackoffOptions = {
      initialMs: settings.backoffInitialMs,
      maxMs: settings.backoffMaxMs,
    };

    this.queue = new WorkQueue(backoff, (length) => {
      metrics.queueDepth.set({ resource: SERVICE_METADATA_PLURAL }, length);
    });
    const identity = options.identity ?? `${hostname()}_${randomUUID().slice(0, 8)}`;
    const limiter = new WriteLimiter({ qps: settings.writeQps, burst: settings.writeBurst });
    const beforeWrite = (): Promise<void> => limiter.acquire();
    const recorder = new EventRecorder({
      kubeConfig,
      instance: identity,
      logger: this.logger,
      metrics,
      beforeWrite,
    });
    if (settings.leaderElection) {
      this.elector = new LeaderElector({
        kubeConfig,
        leaseName: settings.leaseName,
        leaseNamespace: settings.leaseNamespace,
        identity,
        leaseDurationSeconds: settings.leaseDurationSeconds,
        renewDeadlineSeconds: settings.renewDeadlineSeconds,
        retryPeriodSeconds: settings.retryPeriodSeconds,
        logger: options.logger,
        metrics,
        onStartedLeading: () => this.resync(),
      });
    } else {
      metrics.leader.set(1);
    }
    const canWrite = (): boolean => this.elector?.canWrite() ?? true;
    const conflicts = new ConflictTracker();
    this.handler = new MetadataHandler({
      index,
      limits: settings,
      metrics,
      conflicts,
      enqueue: (key) => {
        this.queue.add(key);
      },
    });

    const namespaces = settings.watchNamespaces.length > 0 ? settings.watchNamespaces : ['*'];
    for (const namespace of namespaces) {
      const reflector = new Reflector<ServiceMetadata>({
        kubeConfig,
        plural: SERVICE_METADATA_PLURAL,
        toStored: toStoredObject,
        namespace: namespace === '*' ? undefined : namespace,
        pageSize: settings.listPageSize,
        watchTimeoutSeconds: settings.watchTimeoutSeconds,
        watchInactivityTimeoutMs: settings.watchInactivityTimeoutSeconds * 1000,
        backoff,
        logger: this.logger,
        metrics,
        onChange: (deltas) => this.onChange(deltas),
        onWatchAccepted: () => this.startWorkersOnceSynced(),
      });
      this.reflectors.set(namespace, reflector);
    }

    const rules = serviceMetadataStatus(settings, (key) => conflicts.conflictsOf(key));
    this.reconciler = new StatusReconciler<ServiceMetadata, ServiceMetadataStatus>({
      kubeConfig,
      plural: SERVICE_METADATA_PLURAL,
      kind: SERVICE_METADATA_KIND,
      queue: this.queue,
      lookup: (key) => this.lookup(key),
      desired: rules.desired,
      equals: rules.equals,
      canWrite,
      beforeWrite,
      onWritten: (object, written) => {
        const event = eventForStatusWrite(object, written);
        if (event !== undefined) {
          void recorder.record(event);
        }
      },
      workers: settings.statusWorkers,
      logger: options.logger,
      metrics,
    });

    const common = {
      kubeConfig,
      index,
      pageSize: settings.listPageSize,
      watchTimeoutSeconds: settings.watchTimeoutSeconds,
      watchInactivityTimeoutMs: settings.watchInactivityTimeoutSeconds * 1000,
      backoff,
      workers: settings.statusWorkers,
      logger: options.logger,
      metrics,
      canWrite,
      beforeWrite,
    };
    this.queries = [
      new QueryController({
        ...common,
        plural: METADATA_QUERY_PLURAL,
        kind: METADATA_QUERY_KIND,
        namespaced: true,
        namespaces: settings.watchNamespaces,
      }),
      new QueryController({
        ...common,
        plural: CLUSTER_METADATA_QUERY_PLURAL,
        kind: CLUSTER_METADATA_QUERY_KIND,
        namespaced: false,
        namespaces: [],
      }),
    ];
  }

  /** Starts listing and watching; status workers start once every initial list was indexed. */
  start(): void {
    this.elector?.start();
    for (const controller of this.queries) {
      controller.start();
    }
    this.logger.info({ namespaces: [...this.reflectors.keys()] }, 'starting reflectors');
    for (const reflector of this.reflectors.values()) {
      reflector.start();
    }
    this.refresh = setInterval(() => {
      this.options.metrics.indexStaleSeconds.set(this.staleSeconds());
    }, STALENESS_REFRESH_MS);
    this.refresh.unref();
  }

  /** Stops the watches first, then lets the status workers finish the keys they hold. */
  async stop(): Promise<void> {
    // Stop writing first; the Lease is released only after the last write in flight ended.
    await this.elector?.stop();
    clearInterval(this.refresh);
    for (const reflector of this.reflectors.values()) {
      reflector.stop();
    }
    this.queue.shutDown();
    await Promise.all([
      this.reconciler.stopped(),
      ...this.queries.map((controller) => controller.stop()),
    ]);
    await this.elector?.release();
    this.logger.info('stopped');
  }

  /** Queues every object and query for a status reconcile, as a new leader must. */
  private resync(): void {
    for (const reflector of this.reflectors.values()) {
      for (const key of reflector.store.keys()) {
        this.queue.add(key);
      }
    }
    for (const controller of this.queries) {
      controller.resync();
    }
  }

  /**
   * Returns ready once every reflector indexed its initial list and had a watch accepted. It
   * stays ready when the API server becomes unreachable later: every replica loses it at once,
   * and failing readiness would take them all out of the Service. Staleness reports that instead.
   */
  readiness(): Readiness {
    if (this.synced) {
      return { ready: true };
    }
    for (const [namespace, reflector] of this.reflectors) {
      if (!reflector.synced) {
        const scope = namespace === '*' ? 'all namespaces' : `namespace ${namespace}`;
        const reason = reflector.lastFailure ?? 'waiting for the initial list and watch';
        return { ready: false, reason: `${scope}: ${reason}` };
      }
    }
    return { ready: true };
  }

  /** Seconds since the least recent list, watch event or bookmark over all reflectors. */
  staleSeconds(): number {
    let oldest = Number.POSITIVE_INFINITY;
    for (const reflector of this.reflectors.values()) {
      oldest = Math.min(oldest, reflector.lastEventAtMs);
    }
    return Math.max(0, (Date.now() - oldest) / 1000);
  }

  private lookup(key: string): ServiceMetadata | undefined {
    const namespace = key.slice(0, key.indexOf('/'));
    const reflector = this.reflectors.get(namespace) ?? this.reflectors.get('*');
    return reflector?.store.get(key);
  }

  private onChange(deltas: readonly Delta<ServiceMetadata>[]): void {
    this.handler.handle(deltas);

    const positions = [...this.reflectors.values()].map((reflector) => reflector.resourceVersion);
    const watermark = minResourceVersion(positions);
    if (watermark !== undefined) {
      this.options.index.advanceWatermark(watermark);
    }

    this.startWorkersOnceSynced();
  }

  private startWorkersOnceSynced(): void {
    if (!this.synced && [...this.reflectors.values()].every((reflector) => reflector.synced)) {
      this.synced = true;
      this.options.metrics.ready.set(1);
      this.logger.info(
        { objects: this.options.index.size },
        'caches synced; starting status workers',
      );
      this.reconciler.start();
      for (const controller of this.queries) {
        controller.startWorkers();
      }
    }
  }
}
