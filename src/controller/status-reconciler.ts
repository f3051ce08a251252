/**
 * Writes the status subresource of one custom resource's objects. Workers take keys from the work
 * queue, compute the desired status from the stored copy of the object, and send a merge patch
 * only when it differs from the stored status. Every patch carries the object's
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
import { GROUP, VERSION } from '../api/types.ts';
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

/** The fields of an object that the reconciler reads. */
export interface StatusObject<S> {
  readonly metadata: {
    readonly namespace: string;
    readonly name: string;
    readonly resourceVersion: string;
  };
  readonly status?: S;
}

/** Options of a `StatusReconciler`. */
export interface StatusReconcilerOptions<T extends StatusObject<S>, S> {
  readonly kubeConfig: KubeConfig;
  /** The plural of the resource in the `mesh.datapunk.io/v1alpha1` API group. */
  readonly plural: string;
  /** The kind, for logs. */
  readonly kind: string;
  readonly queue: WorkQueue;
  /** Returns the stored copy of an object, or undefined once it was deleted. */
  readonly lookup: (key: string) => T | undefined;
  /** Computes the status that the object should have, from its stored copy. */
  readonly desired: (object: T) => S;
  /** Whether two statuses are equal in meaning, so that no write is needed. */
  readonly equals: (desired: S, stored: S | undefined) => boolean;
  /**
   * Whether this replica may write now: it leads, or leader election is off. A key whose write
   * is not allowed is dropped; the next leader reconciles every object when it takes over.
   * Default: always.
   */
  readonly canWrite?: () => boolean;
  /** Awaited before every write, for the client-side write limit. Default: none. */
  readonly beforeWrite?: () => Promise<void>;
  /** Called after a successful write with the object as it was and the status written. */
  readonly onWritten?: (object: T, written: S) => void;
  readonly workers: number;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/** Runs the status workers. */
export class StatusReconciler<T extends StatusObject<S>, S> {
  private readonly options: StatusReconcilerOptions<T, S>;
  private readonly api: CustomObjectsApi;
  private readonly logger: Logger;
  /** The resourceVersion of each object's last successful write, until the watch catches up. */
  private readonly written = new Map<string, string>();
  private running: Promise<void>[] = [];

  constructor(options: StatusReconcilerOptions<T, S>) {
    this.options = options;
    this.api = options.kubeConfig.makeApiClient(CustomObjectsApi);
    this.logger = options.logger.child({ controller: 'status', kind: options.kind });
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
      // A key settled without I/O resolves every await at once. Without this yield, draining the
      // keys of an initial list would hold the event loop, and the HTTP server, until the end.
      await yieldToEventLoop();
    }
  }

  /** Reconciles the status of one object. */
  async reconcile(key: string): Promise<ReconcileResult> {
    const object = this.options.lookup(key);
    if (object === undefined) {
      this.written.delete(key);
      return { type: 'gone' };
    }
    const { namespace, name, resourceVersion } = object.metadata;

    // The watch has not yet delivered the object that our last write produced, so the stored
    // status is older than the server's. The event will queue the key again.
    const lastWritten = this.written.get(key);
    if (lastWritten !== undefined && compareResourceVersions(resourceVersion, lastWritten) < 0) {
      return { type: 'unchanged' };
    }
    this.written.delete(key);

    // A follower writes nothing, so it skips computing the status, which validates the object
    // again. Becoming leader queues every key anew.
    if (this.options.canWrite?.() === false) {
      return { type: 'unchanged' };
    }

    const desired = this.options.desired(object);
    if (this.options.equals(desired, object.status)) {
      return { type: 'unchanged' };
    }

    try {
      await this.options.beforeWrite?.();
      const patched = await this.patch(namespace, name, {
        metadata: { resourceVersion },
        status: desired,
      });
      const written = patched.metadata.resourceVersion;
      this.written.set(key, written);
      this.options.onWritten?.(object, desired);
      return { type: 'written', resourceVersion: written };
    } catch (err) {
      return this.failure(err, `patch status of ${this.options.kind} ${key}`);
    }
  }

  /** Sends a merge patch to the status of a namespaced object, or a cluster-scoped one. */
  private async patch(namespace: string, name: string, body: object): Promise<StatusObject<S>> {
    const common = { group: GROUP, version: VERSION, plural: this.options.plural, name, body };
    const options = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
    const response: unknown =
      namespace === ''
        ? await this.api.patchClusterCustomObjectStatus(
            { ...common, fieldManager: FIELD_MANAGER },
            options,
          )
        : await this.api.patchNamespacedCustomObjectStatus(
            { ...common, namespace, fieldManager: FIELD_MANAGER },
            options,
          );
    return response as StatusObject<S>;
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
    // Created only for the outcomes that log, because a pino child costs more than the rest.
    const log = (): Logger => {
      const [namespace, name] = key.split('/');
      return this.logger.child({ namespace, name, reconcileID: randomUUID() });
    };

    switch (result.type) {
      case 'written':
        queue.forget(key);
        metrics.reconcileTotal.inc({ result: 'written' });
        log().debug({ resourceVersion: result.resourceVersion }, 'status written');
        return;
      case 'unchanged':
      case 'gone':
        queue.forget(key);
        metrics.reconcileTotal.inc({ result: 'unchanged' });
        return;
      case 'conflict': {
        // A conflict means the stored copy is stale; retry once the watch caught up.
        const delayMs = queue.addRateLimited(key);
        metrics.queueRetriesTotal.inc();
        metrics.reconcileTotal.inc({ result: 'conflict' });
        log().debug({ delayMs, detail: result.message }, 'status write conflicted; requeued');
        return;
      }
      case 'rejected':
        // The next change of the object queues it again; until then a retry would fail the same
        // way, for example when other writers' conditions already fill the CRD's cap of 16.
        queue.forget(key);
        metrics.reconcileTotal.inc({ result: 'error' });
        metrics.reconcileErrorsTotal.inc();
        log().error(
          { err: result.err, detail: result.message },
          'status rejected by the API server',
        );
        return;
      case 'failed': {
        const delayMs = queue.addRateLimited(key, result.delayMs);
        metrics.queueRetriesTotal.inc();
        metrics.reconcileTotal.inc({ result: 'error' });
        metrics.reconcileErrorsTotal.inc();
        log().error({ err: result.err, delayMs, detail: result.message }, 'failed to write status');
        return;
      }
    }
  }
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
