/**
 * Leader election on a `coordination.k8s.io/v1` Lease, written for this operator because
 * @kubernetes/client-node 2.0.1 ships none. Every replica runs the watches and serves queries;
 * only the holder of the Lease writes status.
 *
 * The rules follow client-go's leader election:
 * - A candidate takes the Lease when it has no holder, or when the holder has not renewed it for
 *   `leaseDurationSeconds` as this replica observed it. The replica's own clock measures how long
 *   the record stayed unchanged, so clock skew between nodes does not matter.
 * - Every write carries the Lease's resourceVersion, so of two candidates only one wins.
 * - A leader renews every `retryPeriodSeconds`. One that could not renew for `renewDeadlineSeconds`
 *   stops writing, which happens before its Lease can expire because the deadline is shorter.
 * - On shutdown the leader stops writing first and then releases the Lease (empty holder), so a
 *   successor takes over at once instead of waiting for the Lease to expire.
 * The API server accepts `acquireTime` and `renewTime` (MicroTime) only with six fraction digits,
 * which client-node's `V1MicroTime` writes and a plain `Date` does not.
 */
import { setTimeout as delay } from 'node:timers/promises';
import {
  CoordinationV1Api,
  V1MicroTime,
  type KubeConfig,
  type V1Lease,
} from '@kubernetes/client-node';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { HttpStatus, describeApiError, httpStatusOf } from './errors.ts';

/** Options of a `LeaderElector`. */
export interface LeaderElectorOptions {
  readonly kubeConfig: KubeConfig;
  readonly leaseName: string;
  readonly leaseNamespace: string;
  /** This replica's name in `holderIdentity`; unique among the replicas. */
  readonly identity: string;
  readonly leaseDurationSeconds: number;
  readonly renewDeadlineSeconds: number;
  readonly retryPeriodSeconds: number;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Called when this replica became the leader. */
  readonly onStartedLeading: () => void;
  /** The clock, in milliseconds. Default: `Date.now`. */
  readonly nowMs?: () => number;
}

/** The last Lease record seen and when this replica first saw it. */
interface Observation {
  readonly resourceVersion: string;
  readonly observedAtMs: number;
}

/** Competes for the Lease and reports whether this replica may write. */
export class LeaderElector {
  private readonly options: LeaderElectorOptions;
  private readonly api: CoordinationV1Api;
  private readonly logger: Logger;
  private readonly nowMs: () => number;
  private readonly stopping = new AbortController();
  private leading = false;
  private lastRenewMs = 0;
  private observation?: Observation;
  private loop?: Promise<void>;

  constructor(options: LeaderElectorOptions) {
    this.options = options;
    this.api = options.kubeConfig.makeApiClient(CoordinationV1Api);
    this.logger = options.logger.child({
      lease: `${options.leaseNamespace}/${options.leaseName}`,
      identity: options.identity,
    });
    this.nowMs = options.nowMs ?? Date.now;
  }

  /**
   * Whether this replica holds the Lease and renewed it within the renew deadline. The deadline
   * is shorter than the Lease duration, so, with clocks that run at the same rate, no successor
   * can hold the Lease yet; the resourceVersion precondition of each write covers the rest.
   */
  canWrite(): boolean {
    const deadlineMs = this.options.renewDeadlineSeconds * 1000;
    return this.leading && this.nowMs() - this.lastRenewMs < deadlineMs;
  }

  /** Starts competing for the Lease in the background. */
  start(): void {
    this.logger.info('starting leader election');
    this.loop = this.run();
  }

  /** Stops writing at once and stops competing; call `release` after in-flight writes ended. */
  async stop(): Promise<void> {
    this.stopping.abort();
    this.setLeading(false);
    await this.loop;
  }

  /** Releases the Lease if this replica holds it, so that a successor takes over at once. */
  async release(): Promise<void> {
    try {
      const lease = await this.api.readNamespacedLease(this.leaseRef());
      if (lease.spec?.holderIdentity !== this.options.identity) {
        return;
      }
      const now = new V1MicroTime(this.nowMs());
      await this.api.replaceNamespacedLease({
        ...this.leaseRef(),
        body: {
          ...lease,
          spec: {
            ...this.specOf(lease),
            holderIdentity: '',
            leaseDurationSeconds: 1,
            renewTime: now,
          },
        },
      });
      this.logger.info('released the Lease');
    } catch (err) {
      // The Lease then expires after its duration, which only delays the successor.
      this.logger.warn(
        { err, detail: describeApiError(err, 'release the Lease') },
        'failed to release the Lease',
      );
    }
  }

  private async run(): Promise<void> {
    const { retryPeriodSeconds, renewDeadlineSeconds } = this.options;
    while (!this.stopped()) {
      const held = await this.tryAcquireOrRenew();
      if (this.stopped()) {
        return;
      }
      if (held) {
        this.lastRenewMs = this.nowMs();
        if (!this.leading) {
          this.setLeading(true);
          this.logger.info('became the leader');
          this.options.onStartedLeading();
        }
      } else if (this.leading && this.nowMs() - this.lastRenewMs >= renewDeadlineSeconds * 1000) {
        this.setLeading(false);
        this.logger.warn('could not renew the Lease within the renew deadline; stopped writing');
      }
      await delay(retryPeriodSeconds * 1000, undefined, { signal: this.stopping.signal }).catch(
        // An aborted pause means shutdown; the loop condition ends the loop.
        () => undefined,
      );
    }
  }

  private stopped(): boolean {
    return this.stopping.signal.aborted;
  }

  private setLeading(leading: boolean): void {
    this.leading = leading;
    this.options.metrics.leader.set(leading ? 1 : 0);
  }

  private leaseRef(): { name: string; namespace: string } {
    return { name: this.options.leaseName, namespace: this.options.leaseNamespace };
  }

  /** Returns the spec of a Lease with its MicroTime fields as `V1MicroTime`. */
  private specOf(lease: V1Lease): NonNullable<V1Lease['spec']> {
    const spec = { ...lease.spec };
    if (spec.acquireTime !== undefined) {
      spec.acquireTime = new V1MicroTime(spec.acquireTime);
    }
    if (spec.renewTime !== undefined) {
      spec.renewTime = new V1MicroTime(spec.renewTime);
    }
    return spec;
  }

  /**
   * Takes or renews the Lease and returns whether this replica holds it now. Every API error is
   * caught and logged, so the election loop keeps running.
   */
  private async tryAcquireOrRenew(): Promise<boolean> {
    let lease: V1Lease;
    try {
      lease = await this.api.readNamespacedLease(this.leaseRef());
    } catch (err) {
      if (httpStatusOf(err) === HttpStatus.NotFound) {
        return this.create();
      }
      this.logger.warn(
        { detail: describeApiError(err, 'read the Lease') },
        'failed to read the Lease',
      );
      return false;
    }
    if (this.heldByAnother(lease)) {
      return false;
    }

    try {
      // The body carries the resourceVersion read above, so a concurrent writer gets 409.
      await this.api.replaceNamespacedLease({ ...this.leaseRef(), body: this.claimed(lease) });
      return true;
    } catch (err) {
      this.logLeaseWriteFailure(err, 'update the Lease', 'Lease update failed');
      return false;
    }
  }

  /**
   * Reports whether another replica holds the Lease and, as far as this replica observed, renewed
   * it within its duration: the record changed less than `leaseDurationSeconds` ago.
   */
  private heldByAnother(lease: V1Lease): boolean {
    const nowMs = this.nowMs();
    const resourceVersion = lease.metadata?.resourceVersion ?? '';
    if (this.observation?.resourceVersion !== resourceVersion) {
      this.observation = { resourceVersion, observedAtMs: nowMs };
    }
    const holder = lease.spec?.holderIdentity ?? '';
    if (holder === '' || holder === this.options.identity) {
      return false;
    }
    const durationSeconds = lease.spec?.leaseDurationSeconds ?? this.options.leaseDurationSeconds;
    return this.observation.observedAtMs + durationSeconds * 1000 > nowMs;
  }

  /** Returns the Lease renewed by this replica, or taken over with one more transition. */
  private claimed(lease: V1Lease): V1Lease {
    const spec = this.specOf(lease);
    const ours = spec.holderIdentity === this.options.identity;
    const now = new V1MicroTime(this.nowMs());
    return {
      ...lease,
      spec: {
        holderIdentity: this.options.identity,
        leaseDurationSeconds: this.options.leaseDurationSeconds,
        acquireTime: ours ? (spec.acquireTime ?? now) : now,
        renewTime: now,
        leaseTransitions: (spec.leaseTransitions ?? 0) + (ours ? 0 : 1),
      },
    };
  }

  private async create(): Promise<boolean> {
    const now = new V1MicroTime(this.nowMs());
    try {
      await this.api.createNamespacedLease({
        namespace: this.options.leaseNamespace,
        body: {
          metadata: { name: this.options.leaseName, namespace: this.options.leaseNamespace },
          spec: {
            holderIdentity: this.options.identity,
            leaseDurationSeconds: this.options.leaseDurationSeconds,
            acquireTime: now,
            renewTime: now,
            leaseTransitions: 0,
          },
        },
      });
      return true;
    } catch (err) {
      // 409 means another replica created it first; the next round reads it.
      this.logLeaseWriteFailure(err, 'create the Lease', 'Lease create failed');
      return false;
    }
  }

  /**
   * Logs a failed Lease write: at warn for 403, which only an RBAC change fixes, and at debug
   * otherwise, since a 409 from a concurrent replica is part of normal election.
   */
  private logLeaseWriteFailure(err: unknown, action: string, message: string): void {
    const detail = describeApiError(err, action);
    if (httpStatusOf(err) === HttpStatus.Forbidden) {
      this.logger.warn({ detail }, message);
    } else {
      this.logger.debug({ detail }, message);
    }
  }
}
