/**
 * Writes each object's validation outcome to its status subresource. Workers take keys from the
 * work queue, compute the desired status from the stored copy of the object, and send a merge
 * patch only when it differs from the stored status. Every patch carries the object's
 * resourceVersion as a precondition, so a write computed from stale data gets 409 Conflict and is
 * retried once the watch delivered the newer object.
 */
import { randomUUID } from 'node:crypto';
import {
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
} from '@kubernetes/client-node';
import { desiredStatus, statusEquals, type Outcome } from '../api/conditions.ts';
import { validateServiceMetadata, type ValidationLimits } from '../api/service-metadata.ts';
import { GROUP, SERVICE_METADATA_PLURAL, VERSION, type ServiceMetadata } from '../api/types.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { HttpStatus, describeApiError, httpStatusOf, retryAfterMs } from './errors.ts';
import { compareResourceVersions } from './resource-version.ts';
import type { WorkQueue } from './work-queue.ts';

/** The field manager named in every status write. */
export const FIELD_MANAGER = 'metadata-operator';

/** The result of one reconcile. */
export type ReconcileResult =
  | { readonly type: 'written'; readonly resourceVersion: string }
  | { readonly type: 'unchanged' }
  | { readonly type: 'gone' }
  | { readonly type: 'conflict'; readonly message: string }
  /** The API server rejected the status as invalid; retrying the same write cannot succeed. */
  | { readonly type: 'rejected'; readonly message: string; readonly err: unknown }
  | {
      readonly type: 'failed';
      readonly message: string;
      readonly delayMs?: number;
      readonly err: unknown;
    };

/** Options of a `StatusReconciler`. */
export interface StatusReconcilerOptions {
  readonly kubeConfig: KubeConfig;
  readonly queue: WorkQueue;
  readonly limits: ValidationLimits;
  /** Returns the stored copy of an object, or undefined once it was deleted. */
  readonly lookup: (key: string) => ServiceMetadata | undefined;
  readonly workers: number;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** The clock of lastTransitionTime. Default: the system clock. */
  readonly now?: () => Date;
}

/** Runs the status workers. */
export class StatusReconciler {
  private readonly options: StatusReconcilerOptions;
  private readonly api: CustomObjectsApi;
  private readonly logger: Logger;
  private readonly now: () => Date;
  /** The resourceVersion of each object's last successful write, until the watch catches up. */
  private readonly written = new Map<string, string>();
  private running: Promise<void>[] = [];

  constructor(options: StatusReconcilerOptions) {
    this.options = options;
    this.api = options.kubeConfig.makeApiClient(CustomObjectsApi);
    this.logger = options.logger.child({ controller: 'status', kind: 'ServiceMetadata' });
    this.now = options.now ?? (() => new Date());
  }

  /** Starts the workers; call it only once the initial list was indexed. */
  start(): void {
    for (let i = 0; i < this.options.workers; i += 1) {
      this.running.push(this.work());
    }
  }

  /** Resolves once every worker finished its current key; shut the queue down first. */
  async stopped(): Promise<void> {
    await Promise.all(this.running);
    this.running = [];
  }

  private async work(): Promise<void> {
    const { queue, metrics } = this.options;
    for (;;) {
      const key = await queue.get();
      if (key === undefined) {
        return;
      }
      const stopTimer = metrics.reconcileDurationSeconds.startTimer();
      const result = await this.reconcile(key);
      stopTimer();
      this.settle(key, result);
      queue.done(key);
      metrics.queueDepth.set(queue.length);
    }
  }

  /** Reconciles the status of one object. */
  async reconcile(key: string): Promise<ReconcileResult> {
    const object = this.options.lookup(key);
    if (object === undefined) {
      this.written.delete(key);
      return { type: 'gone' };
    }
    const { namespace, name, generation, resourceVersion } = object.metadata;

    // The watch has not yet delivered the object that our last write produced, so the stored
    // status is older than what the server has; the event will queue the key again.
    const lastWritten = this.written.get(key);
    if (lastWritten !== undefined && compareResourceVersions(resourceVersion, lastWritten) < 0) {
      return { type: 'unchanged' };
    }
    this.written.delete(key);

    const desired = desiredStatus(object.status, generation, this.outcomeOf(object), this.now());
    if (statusEquals(desired, object.status ?? {})) {
      return { type: 'unchanged' };
    }

    try {
      const patched = (await this.api.patchNamespacedCustomObjectStatus(
        {
          group: GROUP,
          version: VERSION,
          plural: SERVICE_METADATA_PLURAL,
          namespace,
          name,
          body: { metadata: { resourceVersion }, status: desired },
          fieldManager: FIELD_MANAGER,
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      )) as ServiceMetadata;
      const written = patched.metadata.resourceVersion;
      this.written.set(key, written);
      return { type: 'written', resourceVersion: written };
    } catch (err) {
      return this.failure(err, `patch status of servicemetadata ${key}`);
    }
  }

  private outcomeOf(object: ServiceMetadata): Outcome {
    const result = validateServiceMetadata(object.spec, this.options.limits);
    return result.valid
      ? { valid: true }
      : { valid: false, reason: result.reason, message: result.message };
  }

  private failure(err: unknown, action: string): ReconcileResult {
    const code = httpStatusOf(err);
    const message = describeApiError(err, action);
    if (code === HttpStatus.NotFound) {
      return { type: 'gone' };
    }
    if (code === HttpStatus.Conflict) {
      return { type: 'conflict', message };
    }
    if (code === HttpStatus.UnprocessableEntity) {
      return { type: 'rejected', message, err };
    }
    return { type: 'failed', message, delayMs: retryAfterMs(err), err };
  }

  /** Turns a reconcile result into the queue action, the metric and the log record. */
  private settle(key: string, result: ReconcileResult): void {
    const { queue, metrics } = this.options;
    const [namespace, name] = key.split('/');
    const log = this.logger.child({ namespace, name, reconcileID: randomUUID() });

    switch (result.type) {
      case 'written':
        queue.forget(key);
        metrics.reconcileTotal.inc({ result: 'written' });
        log.debug({ resourceVersion: result.resourceVersion }, 'status written');
        return;
      case 'unchanged':
      case 'gone':
        queue.forget(key);
        metrics.reconcileTotal.inc({ result: 'unchanged' });
        return;
      case 'conflict': {
        // A conflict means the stored copy is stale; retry once the watch caught up.
        const delayMs = queue.addRateLimited(key);
        metrics.reconcileTotal.inc({ result: 'conflict' });
        log.debug({ delayMs, detail: result.message }, 'status write conflicted; requeued');
        return;
      }
      case 'rejected':
        // The next change of the object queues it again; until then a retry would fail the same
        // way, for example when other writers' conditions already fill the CRD's cap of 16.
        queue.forget(key);
        metrics.reconcileTotal.inc({ result: 'error' });
        metrics.reconcileErrorsTotal.inc();
        log.error({ err: result.err, detail: result.message }, 'status rejected by the API server');
        return;
      case 'failed': {
        const delayMs = queue.addRateLimited(key, result.delayMs);
        metrics.reconcileTotal.inc({ result: 'error' });
        metrics.reconcileErrorsTotal.inc();
        log.error({ err: result.err, delayMs, detail: result.message }, 'failed to write status');
        return;
      }
    }
  }
}
