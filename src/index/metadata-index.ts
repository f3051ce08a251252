/**
 * The in-memory index of valid `ServiceMetadata` objects.
 *
 * Design: records are stored by key (`namespace/name`), and every queried dimension has an
 * inverted index from value to the set of record keys. A query is compiled with `compileQuery`
 * and planned with `planQuery` (see `QueryEvaluation`). The candidates come from the smallest set
 * of keys and the other conditions filter them, so a selective query touches only its candidates
 * and never all records. When even the smallest set is large, the query scans all records in a
 * cached sort order instead, which is cheaper than sorting that many matches. Every write keeps the
 * inverted indexes exact, so no empty set or stale key is ever left behind.
 *
 * The index is single-threaded and synchronous. The watch event handler writes it in event order,
 * listeners are notified synchronously after each write, and readers see each write complete.
 */
import type { SemVer } from 'semver';

import type { SetDimension } from '../query/condition.ts';
import { compileQuery } from '../query/matcher.ts';
import type { ServiceQuery } from '../query/model.ts';
import { AttributeIndex } from './attribute-index.ts';
import { countFacets } from './facet-counts.ts';
import { ListenerRegistry } from './index-listeners.ts';
import { QueryEvaluation } from './query-evaluation.ts';
import type { IndexedSets } from './query-evaluation.ts';
import type {
  Facets,
  IndexListener,
  IndexReader,
  QueryExplanation,
  QueryPage,
  QueryResult,
} from './reader.ts';
import { recordKey } from './record.ts';
import type { MetadataRecord } from './record.ts';
import { sameRecord, snapshotRecord } from './record-snapshot.ts';
import { prefersOrderedScan, RecordOrder } from './record-order.ts';
import { selectPage } from './result-page.ts';
import { recordComparator } from './sort-order.ts';
import type { SortOrder } from './sort-order.ts';
import { ValueIndex } from './value-index.ts';
import { VersionIndex } from './version-index.ts';
import { Watermark } from './watermark.ts';

/** The sorted matches of one key set, computed at one revision of the index. */
interface SortedSet {
  readonly revision: number;
  readonly records: readonly MetadataRecord[];
}

/** Numbers of distinct keys in each inverted index, as `MetadataIndex.internalSizes` returns. */
export interface InternalSizes {
  /** Number of records stored. */
  readonly records: number;
  /** Number of distinct values per dimension, and of distinct attribute names for `attribute`. */
  readonly entries: Record<
    'namespace' | 'service' | 'environment' | 'region' | 'tag' | 'version' | 'attribute',
    number
  >;
}

/**
 * MetadataIndex stores the valid `ServiceMetadata` objects as `MetadataRecord`s, keeps an inverted
 * index per dimension (namespace, service, environment, region, tag, version, attribute), and
 * evaluates `ServiceQuery`s against them. It also tracks the revision of its contents and the
 * resourceVersion watermark up to which watch events were applied, and notifies listeners of both.
 */
export class MetadataIndex implements IndexReader {
  readonly #records = new Map<string, MetadataRecord>();
  readonly #namespaces = new ValueIndex();
  readonly #services = new ValueIndex();
  readonly #environments = new ValueIndex();
  readonly #regions = new ValueIndex();
  readonly #tags = new ValueIndex();
  readonly #versions = new VersionIndex();
  readonly #attributes = new AttributeIndex();
  readonly #listeners = new ListenerRegistry();
  #revision = 0;
  readonly #watermark = new Watermark();
  readonly #versionOf = (record: MetadataRecord): SemVer => this.#versions.parse(record.version);
  readonly #orders: Readonly<Record<SortOrder, RecordOrder>> = {
    name: new RecordOrder(),
    version: new RecordOrder(recordComparator('version', this.#versionOf)),
  };
  /**
   * The matches of single-set queries in each sort order, by key set, valid while `revision` is
   * the index's. A broad query such as one environment then costs one copy instead of a sort or a
   * scan of all records. An entry holds one reference per match, and a key set that leaves the
   * index takes its entry with it.
   */
  readonly #sortedSets: Readonly<Record<SortOrder, WeakMap<ReadonlySet<string>, SortedSet>>> = {
    name: new WeakMap(),
    version: new WeakMap(),
  };
  readonly #sets: IndexedSets = {
    records: this.#records,
    versions: this.#versions,
    attributes: this.#attributes,
    valueIndex: (dimension) => this.#valueIndexOf(dimension),
  };

  /** Increases by one with every upsert that changes a record and every delete of a record. */
  get revision(): number {
    return this.#revision;
  }

  /**
   * The highest resourceVersion passed to `advanceWatermark`, as a decimal string without leading
   * zeros, or `"0"` before the first call.
   */
  get watermark(): string {
    return this.#watermark.text;
  }

  /** Number of records stored. */
  get size(): number {
    return this.#records.size;
  }

  /** Returns the record of the object `namespace/name`, or undefined when none is stored. */
  get(namespace: string, name: string): MetadataRecord | undefined {
    return this.#records.get(recordKey(namespace, name));
  }

  /** Returns every namespace that contains at least one record, in no particular order. */
  namespaces(): IterableIterator<string> {
    return this.#namespaces.values();
  }

  /** Returns the keys of all records, in no particular order. */
  keys(): IterableIterator<string> {
    return this.#records.keys();
  }

  /**
   * Stores a record, or replaces the one with the same key together with all of its index
   * entries, then notifies the listeners with `onChange` when anything changed. The index keeps a
   * frozen copy, so later changes to `record` do not reach it.
   *
   * @param resourceVersion - The resourceVersion of the watch event behind the write, passed on
   *   to listeners in `IndexChange.resourceVersion`; it does not move the watermark.
   * @returns true when anything changed. An identical record returns false, leaves the revision
   *   as it was and notifies no listener.
   * @throws TypeError when `record.key` is not `namespace/name`, and QueryError when
   *   `record.version` is not an exact semantic version. The index is unchanged after either. An
   *   error that a listener throws is rethrown after the write and every listener ran.
   */
  upsert(record: MetadataRecord, resourceVersion?: string): boolean {
    const expectedKey = recordKey(record.namespace, record.name);
    if (record.key !== expectedKey) {
      const rule = `must equal namespace/name ${JSON.stringify(expectedKey)}`;
      throw new TypeError(`invalid record key ${JSON.stringify(record.key)}: ${rule}`);
    }

    const previous = this.#records.get(record.key);
    if (previous !== undefined && sameRecord(previous, record)) {
      return false;
    }

    const version = this.#versions.parse(record.version);
    const stored = snapshotRecord(record);

    if (previous !== undefined) {
      this.#removeEntries(previous);
    }

    this.#records.set(stored.key, stored);
    this.#namespaces.add(stored.namespace, stored.key);
    this.#services.add(stored.service, stored.key);
    this.#environments.add(stored.environment, stored.key);
    this.#regions.add(stored.region, stored.key);
    this.#versions.add(stored.version, version, stored.key);
    this.#attributes.add(stored.attributes, stored.key);
    for (const tag of stored.tags) {
      this.#tags.add(tag, stored.key);
    }

    for (const order of Object.values(this.#orders)) {
      if (previous === undefined) {
        order.invalidate();
      } else {
        order.replace(stored);
      }
    }

    this.#revision += 1;
    this.#listeners.notifyChange({
      revision: this.#revision,
      ...(resourceVersion === undefined ? {} : { resourceVersion }),
      ...(previous === undefined ? {} : { before: previous }),
      after: stored,
    });
    return true;
  }

  /**
   * Removes the record with `key` and all of its index entries, then notifies the listeners with
   * `onChange` when it existed. Returns true when it existed.
   *
   * @param resourceVersion - As for `upsert`.
   * @throws the error of a listener, after the delete and every listener ran.
   */
  delete(key: string, resourceVersion?: string): boolean {
    const previous = this.#records.get(key);
    if (previous === undefined) {
      return false;
    }

    this.#removeEntries(previous);
    this.#records.delete(key);
    for (const order of Object.values(this.#orders)) {
      order.invalidate();
    }

    this.#revision += 1;
    this.#listeners.notifyChange({
      revision: this.#revision,
      ...(resourceVersion === undefined ? {} : { resourceVersion }),
      before: previous,
    });
    return true;
  }

  /**
   * Raises the watermark to `resourceVersion` when it is higher, comparing both as integers of
   * any length (BigInt), so `"99999999999999999999"` is above `"100"`, and then notifies the
   * listeners with `onWatermark`. A lower or equal value is ignored and notifies no listener. The
   * revision does not change, because the records do not.
   *
   * @throws TypeError when `resourceVersion` is not a decimal integer. Kubernetes documents
   *   resourceVersion as opaque, but etcd-backed API servers use decimal revisions. A listener's
   *   error is rethrown after the watermark moved and every listener ran.
   */
  advanceWatermark(resourceVersion: string): void {
    if (this.#watermark.advance(resourceVersion)) {
      this.#listeners.notifyWatermark(this.#watermark.text);
    }
  }

  /**
   * Returns a page of the records that match the query, in the query's sort order (see
   * `sort-order.ts`), with the number of all matches. See `compileQuery` for what matches.
   *
   * @throws QueryError for an invalid version range or selector, a limit below 1 (field `limit`)
   *   or a page key that this index did not return for the same sort order (field `continue`).
   */
  query(query: ServiceQuery, page?: QueryPage): QueryResult {
    const evaluation = new QueryEvaluation(this.#sets, compileQuery(query));
    const sorted = this.#sortedMatches(evaluation, query.sort);
    return selectPage(sorted, query.sort, page, this.#versionOf);
  }

  /**
   * Returns the plan of a query with the estimate and the candidate count of each step. It runs
   * the whole query, one condition at a time.
   *
   * @throws QueryError for an invalid version range or selector.
   */
  explain(query: ServiceQuery): QueryExplanation {
    return new QueryEvaluation(this.#sets, compileQuery(query)).explain();
  }

  /**
   * Counts the matches of a query per tag, environment, region and major version.
   *
   * @throws QueryError for an invalid version range or selector.
   */
  facets(query: ServiceQuery): Facets {
    const matches = new QueryEvaluation(this.#sets, compileQuery(query)).matches();
    return countFacets(matches, this.#versionOf);
  }

  /**
   * Registers a listener that is called synchronously after every change (`onChange`) and every
   * watermark advance (`onWatermark`). Returns the function that removes the registration.
   */
  subscribe(listener: IndexListener): () => void {
    return this.#listeners.subscribe(listener);
  }

  /** Returns the number of keys in each inverted index, so tests can check for stale entries. */
  internalSizes(): InternalSizes {
    return {
      records: this.#records.size,
      entries: {
        namespace: this.#namespaces.size,
        service: this.#services.size,
        environment: this.#environments.size,
        region: this.#regions.size,
        tag: this.#tags.size,
        version: this.#versions.size,
        attribute: this.#attributes.size,
      },
    };
  }

  /**
   * Returns all matches in `order`. A large candidate set is cheaper to filter in the cached
   * order of all records than to sort afterwards.
   */
  #sortedMatches(evaluation: QueryEvaluation, order: SortOrder): readonly MetadataRecord[] {
    const estimate = evaluation.candidateEstimate;
    if (estimate === 0) {
      return [];
    }

    const soleSet = evaluation.soleKeySet();
    if (soleSet === undefined) {
      return this.#computeSortedMatches(evaluation, order, estimate);
    }

    const cached = this.#sortedSets[order].get(soleSet);
    if (cached?.revision === this.#revision) {
      return cached.records;
    }

    const records = this.#computeSortedMatches(evaluation, order, estimate);
    this.#sortedSets[order].set(soleSet, { revision: this.#revision, records });
    return records;
  }

  #computeSortedMatches(
    evaluation: QueryEvaluation,
    order: SortOrder,
    estimate: number,
  ): MetadataRecord[] {
    const cached = this.#orders[order];
    if (prefersOrderedScan(estimate, this.#records.size)) {
      const filters = evaluation.filters();
      const predicate =
        filters.length === 0
          ? undefined
          : (record: MetadataRecord): boolean => filters.every((filter) => filter(record));
      return cached.select(this.#records, predicate);
    }

    return evaluation.matches().sort(recordComparator(order, this.#versionOf));
  }

  #removeEntries(record: MetadataRecord): void {
    this.#namespaces.remove(record.namespace, record.key);
    this.#services.remove(record.service, record.key);
    this.#environments.remove(record.environment, record.key);
    this.#regions.remove(record.region, record.key);
    this.#versions.remove(record.version, record.key);
    this.#attributes.remove(record.attributes, record.key);
    for (const tag of record.tags) {
      this.#tags.remove(tag, record.key);
    }
  }

  #valueIndexOf(kind: SetDimension | 'tag'): ValueIndex {
    switch (kind) {
      case 'namespace':
        return this.#namespaces;
      case 'service':
        return this.#services;
      case 'environment':
        return this.#environments;
      case 'region':
        return this.#regions;
      case 'tag':
        return this.#tags;
    }
  }
}
