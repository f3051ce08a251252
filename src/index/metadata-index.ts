/**
 * The in-memory index of valid `ServiceMetadata` objects.
 *
 * Design: records are stored by key (`namespace/name`), and every queried dimension has an
 * inverted index from value to the set of record keys. A query is planned with `planQuery`.
 * The candidates come from the smallest set of keys and the other steps filter them, so a
 * selective query touches only its candidates and never all records. When even the smallest set
 * is large, the query scans all records in their cached order instead, which is cheaper than
 * sorting that many matches. Every write keeps the inverted indexes exact, so no empty set or
 * stale key is ever left behind.
 *
 * The index is single-threaded and synchronous. The watch event handler writes it in event order,
 * and readers see each write complete.
 */
import type { ServiceQuery } from '../query/model.ts';
import { planQuery } from '../query/planner.ts';
import type { PlanStep, SetDimension } from '../query/planner.ts';
import { parseVersionRange } from '../query/version.ts';
import { AttributeIndex } from './attribute-index.ts';
import type { IndexReader, QueryResult } from './reader.ts';
import { recordKey } from './record.ts';
import type { MetadataRecord } from './record.ts';
import { sameRecord, snapshotRecord } from './record-snapshot.ts';
import { compareRecords, prefersOrderedScan, RecordOrder } from './record-order.ts';
import { ValueIndex } from './value-index.ts';
import { VersionIndex } from './version-index.ts';
import type { VersionMatch } from './version-index.ts';

/** A decimal integer of any length, the form of a Kubernetes resourceVersion that is compared. */
const DECIMAL = /^[0-9]+$/;

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

/** Tests one record against one plan step. */
type RecordFilter = (record: MetadataRecord) => boolean;

/**
 * MetadataIndex stores the valid `ServiceMetadata` objects as `MetadataRecord`s, keeps an inverted
 * index per dimension (namespace, service, environment, region, tag, version, attribute), and
 * evaluates `ServiceQuery`s against them. It also tracks the revision of its contents and the
 * resourceVersion watermark up to which watch events were applied.
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
  #revision = 0;
  #watermark = 0n;
  #watermarkText = '0';
  readonly #order = new RecordOrder();

  /** Increases by one with every upsert that changes a record and every delete of a record. */
  get revision(): number {
    return this.#revision;
  }

  /**
   * The highest resourceVersion passed to `advanceWatermark`, as a decimal string without leading
   * zeros, or `"0"` before the first call.
   */
  get watermark(): string {
    return this.#watermarkText;
  }

  /** Number of records stored. */
  get size(): number {
    return this.#records.size;
  }

  /** Returns the record of the object `namespace/name`, or undefined when none is stored. */
  get(namespace: string, name: string): MetadataRecord | undefined {
    return this.#records.get(recordKey(namespace, name));
  }

  /** Returns the keys of all records, in no particular order. */
  keys(): IterableIterator<string> {
    return this.#records.keys();
  }

  /**
   * Stores a record, or replaces the one with the same key together with all of its index
   * entries. The index keeps a frozen copy, so later changes to `record` do not reach it.
   *
   * @returns true when anything changed. An identical record returns false and leaves the revision
   *   as it was.
   * @throws TypeError when `record.key` is not `namespace/name`, and QueryError when
   *   `record.version` is not an exact semantic version. The index is unchanged after either.
   */
  upsert(record: MetadataRecord): boolean {
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

    if (previous === undefined) {
      this.#order.invalidate();
    } else {
      this.#order.replace(stored);
    }

    this.#revision += 1;
    return true;
  }

  /** Removes the record with `key` and all of its index entries. Returns true when it existed. */
  delete(key: string): boolean {
    const previous = this.#records.get(key);
    if (previous === undefined) {
      return false;
    }

    this.#removeEntries(previous);
    this.#records.delete(key);
    this.#order.invalidate();
    this.#revision += 1;
    return true;
  }

  /**
   * Raises the watermark to `resourceVersion` when it is higher, comparing both as integers of
   * any length (BigInt), so `"99999999999999999999"` is above `"100"`. A lower or equal value is
   * ignored. The revision does not change, because the records do not.
   *
   * @throws TypeError when `resourceVersion` is not a decimal integer. Kubernetes documents
   *   resourceVersion as opaque, but etcd-backed API servers use decimal revisions.
   */
  advanceWatermark(resourceVersion: string): void {
    if (!DECIMAL.test(resourceVersion)) {
      const rule = 'must be a decimal integer';
      throw new TypeError(`invalid resourceVersion ${JSON.stringify(resourceVersion)}: ${rule}`);
    }

    const value = BigInt(resourceVersion);
    if (value > this.#watermark) {
      this.#watermark = value;
      this.#watermarkText = value.toString();
    }
  }

  /**
   * Returns every record that matches the query, sorted by namespace and then name in ascending
   * code-unit order. Values within one dimension are alternatives (union), every tag must be
   * present (intersection), and a query without any condition returns every record.
   *
   * @throws QueryError when `query.version` is not a valid range (see `parseVersionRange`).
   */
  query(query: ServiceQuery): QueryResult {
    // The range is compiled and tested against the distinct versions once per query, and the
    // planner, the candidates and the filter all reuse that one match.
    const range = query.version === undefined ? undefined : parseVersionRange(query.version);
    const versionMatch = range === undefined ? undefined : this.#versions.match(range);
    const plan = planQuery(query, (step) => this.#countCandidates(step, versionMatch));

    const [first, ...rest] = plan.steps;
    if (first === undefined) {
      return { items: this.#order.select(this.#records) };
    }

    if (first.cardinality === 0) {
      return { items: [] };
    }

    // A large candidate set is cheaper to find by scanning all records in their cached order than
    // by sorting the matches afterwards.
    if (prefersOrderedScan(first.cardinality, this.#records.size)) {
      const filters = plan.steps.map((planned) => this.#filterFor(planned.step, versionMatch));
      return { items: this.#order.select(this.#records, (record) => matchesAll(filters, record)) };
    }

    const filters = rest.map((planned) => this.#filterFor(planned.step, versionMatch));
    const matches: MetadataRecord[] = [];
    for (const key of this.#candidateKeys(first.step, versionMatch)) {
      const record = this.#records.get(key);
      if (record !== undefined && matchesAll(filters, record)) {
        matches.push(record);
      }
    }

    return { items: matches.sort(compareRecords) };
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

  #countCandidates(step: PlanStep, versionMatch: VersionMatch | undefined): number {
    switch (step.kind) {
      case 'tag':
        return this.#tags.countOf([step.tag]);
      case 'version':
        return requireMatch(versionMatch).count;
      default:
        return this.#valueIndexOf(step.kind).countOf(step.values);
    }
  }

  /**
   * Lists the keys that match one step. A single-valued dimension puts each key in exactly one
   * set, so the union of its sets is a concatenation and yields no key twice.
   */
  *#candidateKeys(step: PlanStep, versionMatch: VersionMatch | undefined): Iterable<string> {
    let sets: readonly (ReadonlySet<string> | undefined)[];
    if (step.kind === 'tag') {
      sets = [this.#tags.keysOf(step.tag)];
    } else if (step.kind === 'version') {
      sets = requireMatch(versionMatch).keySets;
    } else {
      const index = this.#valueIndexOf(step.kind);
      sets = step.values.map((value) => index.keysOf(value));
    }

    for (const keys of sets) {
      if (keys !== undefined) {
        yield* keys;
      }
    }
  }

  #filterFor(step: PlanStep, versionMatch: VersionMatch | undefined): RecordFilter {
    if (step.kind === 'tag') {
      // The record's own short tag list is faster to search than the tag's large key set.
      const tag = step.tag;
      return (record) => record.tags.includes(tag);
    }

    if (step.kind === 'version') {
      const versions = requireMatch(versionMatch).versions;
      return (record) => versions.has(record.version);
    }

    const accepted = new Set(step.values);
    const field = step.kind;
    return (record) => accepted.has(record[field]);
  }
}

function matchesAll(filters: readonly RecordFilter[], record: MetadataRecord): boolean {
  return filters.every((filter) => filter(record));
}

/** Returns the version match of a query that has a version step, which `query` always computes. */
function requireMatch(versionMatch: VersionMatch | undefined): VersionMatch {
  if (versionMatch === undefined) {
    throw new Error('failed to evaluate the version step: the version range was not compiled');
  }

  return versionMatch;
}
