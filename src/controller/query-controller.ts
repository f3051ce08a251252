/**
 * Keeps the status of `MetadataQuery` or `ClusterMetadataQuery` objects equal to their current
 * result. Query objects come from reflectors of their own; results come from the index. Each
 * index change re-evaluates only the queries that the changed record matched before or after the
 * change, and a status is written only when it differs from the stored one.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { Outcome } from '../api/conditions.ts';
import {
  validateQuerySpec,
  type MetadataQueryObject,
  type MetadataQueryStatus,
  type QueryMatch,
  type QuerySpecResult,
} from '../api/metadata-query.ts';
import {
  desiredQueryStatus,
  queryStatusEquals,
  type QueryResultSummary,
} from '../api/metadata-query-status.ts';
import type { IndexChange, IndexReader } from '../index/reader.ts';
import type { MetadataRecord } from '../index/record.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { BackoffOptions } from './backoff.ts';
import { Reflector } from './reflector/reflector.ts';
import { objectKey, type Delta } from './reflector/store.ts';
import { toStoredObject } from './reflector/strip.ts';
import { StatusReconciler } from './status-reconciler.ts';
import { WorkQueue } from './work-queue.ts';

/** Options of a `QueryController`. */
export interface QueryControllerOptions {
  readonly kubeConfig: KubeConfig;
  readonly index: IndexReader;
  readonly plural: string;
  readonly kind: string;
  /** True for `MetadataQuery`, which searches only its own namespace. */
  readonly namespaced: boolean;
  /** For a namespaced kind: the namespaces to watch; empty for all. */
  readonly namespaces: readonly string[];
  readonly pageSize: number;
  readonly watchTimeoutSeconds: number;
  readonly watchInactivityTimeoutMs: number;
  readonly backoff: BackoffOptions;
  readonly workers: number;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** The clock of lastTransitionTime and lastChangeTime. Default: the system clock. */
  readonly now?: () => Date;
  /** Whether this replica may write status now. Default: always. */
  readonly canWrite?: () => boolean;
  /** Awaited before every status write, for the client-side write limit. Default: none. */
  readonly beforeWrite?: () => Promise<void>;
}

/** A validated spec, kept per object key and generation. */
interface CachedSpec {
  readonly generation: number;
  readonly result: QuerySpecResult;
}

function toMatch(record: MetadataRecord): QueryMatch {
  const { namespace, name, service, version, environment, region } = record;
  return { namespace, name, service, version, environment, region };
}

/** Runs the reflectors, the index subscription and the status workers of one query kind. */
export class QueryController {
  private readonly options: QueryControllerOptions;
  private readonly reflectors: Reflector<MetadataQueryObject>[] = [];
  private readonly queue: WorkQueue;
  private readonly reconciler: StatusReconciler<MetadataQueryObject, MetadataQueryStatus>;
  private readonly specs = new Map<string, CachedSpec>();
  /** The resourceVersion of the last index change that could alter each query's result. */
  private readonly lastChange = new Map<string, string>();
  private readonly now: () => Date;
  private unsubscribe?: () => void;

  constructor(options: QueryControllerOptions) {
    this.options = options;
    this.now = options.now ?? (() => new Date());
    this.queue = new WorkQueue(options.backoff, (length) => {
      options.metrics.queueDepth.set({ resource: options.plural }, length);
    });
    const logger = options.logger.child({ controller: options.plural });

    const scopes =
      options.namespaced && options.namespaces.length > 0 ? options.namespaces : [undefined];
    for (const namespace of scopes) {
      this.reflectors.push(
        new Reflector<MetadataQueryObject>({
          kubeConfig: options.kubeConfig,
          plural: options.plural,
          namespace,
          toStored: (raw) => toStoredObject<MetadataQueryStatus>(raw),
          pageSize: options.pageSize,
          watchTimeoutSeconds: options.watchTimeoutSeconds,
          watchInactivityTimeoutMs: options.watchInactivityTimeoutMs,
          backoff: options.backoff,
          logger,
          metrics: options.metrics,
          onChange: (deltas) => this.onDeltas(deltas),
        }),
      );
    }

    this.reconciler = new StatusReconciler<MetadataQueryObject, MetadataQueryStatus>({
      kubeConfig: options.kubeConfig,
      plural: options.plural,
      kind: options.kind,
      queue: this.queue,
      lookup: (key) => this.lookup(key),
      desired: (object) => this.desired(object),
      equals: queryStatusEquals,
      canWrite: options.canWrite,
      beforeWrite: options.beforeWrite,
      workers: options.workers,
      logger: options.logger,
      metrics: options.metrics,
    });
  }

  /** Starts the reflectors and the index subscription; statuses wait for `startWorkers`. */
  start(): void {
    this.unsubscribe = this.options.index.subscribe({
      onChange: (change) => this.onIndexChange(change),
    });
    for (const reflector of this.reflectors) {
      reflector.start();
    }
  }

  /** Starts the status workers; call it only once the index contains its initial list. */
  startWorkers(): void {
    this.reconciler.start();
  }

  /** Queues every query for a status reconcile, as a new leader must. */
  resync(): void {
    for (const reflector of this.reflectors) {
      for (const key of reflector.store.keys()) {
        this.queue.add(key);
      }
    }
  }

  /** Stops the reflectors and lets the workers finish the keys they hold. */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    for (const reflector of this.reflectors) {
      reflector.stop();
    }
    this.queue.shutDown();
    await this.reconciler.stopped();
  }

  private lookup(key: string): MetadataQueryObject | undefined {
    for (const reflector of this.reflectors) {
      const object = reflector.store.get(key);
      if (object !== undefined) {
        return object;
      }
    }
    return undefined;
  }

  private specOf(object: MetadataQueryObject): QuerySpecResult {
    const key = objectKey(object);
    const cached = this.specs.get(key);
    if (cached?.generation === object.metadata.generation) {
      return cached.result;
    }
    const namespace = this.options.namespaced ? object.metadata.namespace : undefined;
    const result = validateQuerySpec(object.spec, namespace);
    this.specs.set(key, { generation: object.metadata.generation, result });
    return result;
  }

  private onDeltas(deltas: readonly Delta<MetadataQueryObject>[]): void {
    for (const delta of deltas) {
      const key = objectKey(delta.object);
      if (delta.type === 'deleted') {
        this.specs.delete(key);
        this.lastChange.delete(key);
        continue;
      }
      this.specOf(delta.object);
      this.queue.add(key);
    }
  }

  private onIndexChange(change: IndexChange): void {
    for (const [key, cached] of this.specs) {
      if (!cached.result.valid) {
        continue;
      }
      const { compiled } = cached.result;
      const affected =
        (change.before !== undefined && compiled.matches(change.before)) ||
        (change.after !== undefined && compiled.matches(change.after));
      if (affected) {
        this.lastChange.set(key, change.resourceVersion ?? this.options.index.watermark);
        this.queue.add(key);
      }
    }
  }

  private desired(object: MetadataQueryObject): MetadataQueryStatus {
    const key = objectKey(object);
    const spec = this.specOf(object);
    let outcome: Outcome = { valid: true };
    let result: QueryResultSummary | undefined;

    if (spec.valid) {
      const found = this.options.index.query(spec.query, { limit: spec.maxResults });
      result = {
        matchCount: found.total,
        matches: found.items.map(toMatch),
        truncated: found.total > found.items.length,
      };
    } else {
      outcome = { valid: false, reason: spec.reason, message: spec.message };
    }

    const changeVersion = this.lastChange.get(key) ?? this.options.index.watermark;
    return desiredQueryStatus(
      object.status,
      object.metadata.generation,
      outcome,
      result,
      changeVersion,
      this.now(),
    );
  }
}
