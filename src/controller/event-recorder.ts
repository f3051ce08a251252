/**
 * Records `events.k8s.io/v1` Events about objects, aggregated the way client-go's recorder does:
 * the first occurrence of an event (same object, type, reason and note) creates an Event, and
 * each repeat within `seriesWindowMs` patches its `series` (count and lastObservedTime) instead of
 * creating another, so a flapping object does not flood its namespace.
 *
 * `eventTime` and `series.lastObservedTime` are MicroTime values, which the API server accepts
 * only with six fraction digits; client-node's `V1MicroTime` writes them so.
 */
import { randomBytes } from 'node:crypto';
import {
  EventsV1Api,
  PatchStrategy,
  V1MicroTime,
  setHeaderOptions,
  type KubeConfig,
} from '@kubernetes/client-node';
import { LRUCache } from 'lru-cache';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { HttpStatus, describeApiError, httpStatusOf } from './errors.ts';

/** The `reportingController` of every Event. */
export const REPORTING_CONTROLLER = 'mesh.datapunk.io/metadata-operator';

/** How many distinct events the recorder remembers for aggregation. */
const REMEMBERED_EVENTS = 4096;

/** The object an Event is about. */
export interface EventSubject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
}

/** One event to record. */
export interface EventRecord {
  readonly subject: EventSubject;
  readonly type: 'Normal' | 'Warning';
  /** A short CamelCase reason, such as `LimitExceeded`. */
  readonly reason: string;
  /** The operator's action that the event reports: `Validate` or `Index`. */
  readonly action: string;
  /** A readable message, at most 1 KiB. */
  readonly note: string;
}

/** Options of an `EventRecorder`. */
export interface EventRecorderOptions {
  readonly kubeConfig: KubeConfig;
  /** This replica's name, in `reportingInstance`. */
  readonly instance: string;
  readonly logger: Logger;
  /** Repeats within this window join the series of the first Event. Default: 10 minutes. */
  readonly seriesWindowMs?: number;
  /** Awaited before every write, for the client-side write limit. */
  readonly beforeWrite?: () => Promise<void>;
  /** Counts failed writes in `eventWriteErrorsTotal`, when given. */
  readonly metrics?: Pick<Metrics, 'eventWriteErrorsTotal'>;
}

/** The Event created for an occurrence, and how often it occurred since. */
interface Series {
  readonly name: string;
  readonly firstMs: number;
  count: number;
}

const NOTE_MAX_LENGTH = 1024;

/** Creates and aggregates Events. Failures are logged, never thrown: an Event is best effort. */
export class EventRecorder {
  private readonly options: EventRecorderOptions;
  private readonly api: EventsV1Api;
  private readonly series = new LRUCache<string, Series>({ max: REMEMBERED_EVENTS });

  constructor(options: EventRecorderOptions) {
    this.options = options;
    this.api = options.kubeConfig.makeApiClient(EventsV1Api);
  }

  /** Records one occurrence of an event. */
  async record(event: EventRecord): Promise<void> {
    const { subject } = event;
    const note =
      event.note.length > NOTE_MAX_LENGTH ? `${event.note.slice(0, 1021)}...` : event.note;
    const key = JSON.stringify([subject.uid, event.type, event.reason, note]);
    const windowMs = this.options.seriesWindowMs ?? 10 * 60 * 1000;
    const existing = this.series.get(key);
    const repeat = existing !== undefined && Date.now() - existing.firstMs < windowMs;

    try {
      await this.options.beforeWrite?.();
      if (repeat) {
        existing.count += 1;
        await this.patchSeries(subject.namespace, existing);
        return;
      }
      const name = await this.create({ ...event, note });
      this.series.set(key, { name, firstMs: Date.now(), count: 1 });
    } catch (err) {
      this.logFailure(err, event, repeat ? 'patch' : 'create');
    }
  }

  private async create(event: EventRecord): Promise<string> {
    const { subject } = event;
    const name = `${subject.name}.${randomBytes(8).toString('hex')}`;
    await this.api.createNamespacedEvent({
      namespace: subject.namespace,
      body: {
        metadata: { name, namespace: subject.namespace },
        eventTime: new V1MicroTime(),
        reportingController: REPORTING_CONTROLLER,
        reportingInstance: this.options.instance,
        action: event.action,
        reason: event.reason,
        type: event.type,
        note: event.note,
        regarding: {
          apiVersion: subject.apiVersion,
          kind: subject.kind,
          namespace: subject.namespace,
          name: subject.name,
          uid: subject.uid,
        },
      },
    });
    return name;
  }

  private async patchSeries(namespace: string, series: Series): Promise<void> {
    await this.api.patchNamespacedEvent(
      {
        name: series.name,
        namespace,
        body: { series: { count: series.count, lastObservedTime: new V1MicroTime() } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  }

  private logFailure(err: unknown, event: EventRecord, verb: 'create' | 'patch'): void {
    const { namespace, name } = event.subject;
    const detail = describeApiError(err, `record event ${event.reason} on ${namespace}/${name}`);
    // A namespace that is being deleted rejects new content with 403; that is expected.
    if (httpStatusOf(err) === HttpStatus.Forbidden && detail.includes('being terminated')) {
      this.options.logger.debug(
        { namespace, name, reason: event.reason },
        'event skipped in a terminating namespace',
      );
      return;
    }
    this.options.metrics?.eventWriteErrorsTotal.inc({ verb });
    this.options.logger.warn(
      { namespace, name, reason: event.reason, detail },
      'failed to record an event',
    );
  }
}
