/**
 * Keeps the metrics that describe the index's contents in step with it: the objects per namespace
 * and, when turned on, one `metadata_service_info` series per object. It listens to the index's
 * changes, so every value moves in the same synchronous step as the index.
 *
 * The info series reveal every namespace's metadata to anyone who can scrape the metrics, so they
 * are off by default and capped when on. Past the cap, further objects are left out and counted in
 * `metadata_service_info_omitted_objects`, and a warning is logged once. When an exported object is
 * deleted, a left-out object takes its place, so the series stay as many as the cap allows.
 */
import type { IndexChange, IndexListener } from '../index/reader.ts';
import type { MetadataRecord } from '../index/record.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics, ServiceInfoLabel } from '../observability/metrics.ts';

/** Options of `IndexMetrics`. */
export interface IndexMetricsOptions {
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** Whether to export `metadata_service_info`. Default: false. */
  readonly infoMetric?: boolean;
  /** The maximum number of `metadata_service_info` series. Default: 10000. */
  readonly infoMetricMaxSeries?: number;
}

/** Default of `IndexMetricsOptions.infoMetricMaxSeries`. */
export const DEFAULT_INFO_METRIC_MAX_SERIES = 10_000;

const OMITTED_MESSAGE =
  'metadata_service_info reached its series cap; further objects are left out';

/**
 * An index listener that keeps `metadata_index_objects` and `metadata_service_info` exact.
 * Subscribe it before the first write to the index, because it counts changes and never reads
 * the index.
 */
export class IndexMetrics implements IndexListener {
  readonly #metrics: Metrics;
  readonly #logger: Logger;
  readonly #infoMetric: boolean;
  readonly #maxSeries: number;
  readonly #namespaces = new Map<string, number>();
  /** The objects with a series, by key, as exported. */
  readonly #exported = new Map<string, MetadataRecord>();
  /** The objects left out past the cap, by key, least recently changed first. */
  readonly #omitted = new Map<string, MetadataRecord>();
  #warned = false;

  constructor(options: IndexMetricsOptions) {
    this.#metrics = options.metrics;
    this.#logger = options.logger;
    this.#infoMetric = options.infoMetric ?? false;
    this.#maxSeries = options.infoMetricMaxSeries ?? DEFAULT_INFO_METRIC_MAX_SERIES;
    if (!Number.isInteger(this.#maxSeries) || this.#maxSeries < 0) {
      throw new RangeError(
        `invalid infoMetricMaxSeries ${this.#maxSeries}: must be a non-negative integer`,
      );
    }
  }

  /** Applies one change of the index to the metrics. */
  onChange(change: IndexChange): void {
    if (change.before !== undefined) {
      this.#countNamespace(change.before.namespace, -1);
    }
    if (change.after !== undefined) {
      this.#countNamespace(change.after.namespace, 1);
    }

    if (this.#infoMetric) {
      this.#updateInfo(change.before, change.after);
    }
  }

  #countNamespace(namespace: string, delta: number): void {
    const count = (this.#namespaces.get(namespace) ?? 0) + delta;
    if (count > 0) {
      this.#namespaces.set(namespace, count);
      this.#metrics.indexObjects.set({ namespace }, count);
      return;
    }

    // A namespace whose last object went away leaves no series behind, not a 0 forever.
    this.#namespaces.delete(namespace);
    this.#metrics.indexObjects.remove({ namespace });
  }

  #updateInfo(before: MetadataRecord | undefined, after: MetadataRecord | undefined): void {
    const key = before?.key ?? after?.key;
    if (key === undefined) {
      return;
    }

    const exported = this.#exported.get(key);
    if (exported !== undefined) {
      this.#metrics.serviceInfo.remove(infoLabels(exported));
      this.#exported.delete(key);
    } else {
      this.#omitted.delete(key);
    }

    if (after !== undefined) {
      this.#add(after);
    } else {
      this.#promoteOmitted();
    }
    this.#metrics.serviceInfoOmittedObjects.set(this.#omitted.size);
  }

  #add(record: MetadataRecord): void {
    if (this.#exported.size < this.#maxSeries) {
      this.#exported.set(record.key, record);
      this.#metrics.serviceInfo.set(infoLabels(record), 1);
      return;
    }

    this.#omitted.set(record.key, record);
    if (!this.#warned) {
      this.#warned = true;
      this.#logger.warn({ infoMetricMaxSeries: this.#maxSeries }, OMITTED_MESSAGE);
    }
  }

  #promoteOmitted(): void {
    const next = this.#omitted.values().next();
    if (next.done === true || this.#exported.size >= this.#maxSeries) {
      return;
    }

    this.#omitted.delete(next.value.key);
    this.#add(next.value);
  }
}

function infoLabels(record: MetadataRecord): Record<ServiceInfoLabel, string> {
  return {
    namespace: record.namespace,
    name: record.name,
    service: record.service,
    version: record.version,
    environment: record.environment,
    region: record.region,
  };
}
