import type { ServiceQuery } from '../query/model.ts';
import type { MetadataRecord } from './record.ts';

/** Which page of a query's matches to return. */
export interface QueryPage {
  /** Maximum number of items. Default: every match. */
  readonly limit?: number;
  /**
   * The opaque sort key of the last item of the previous page (`QueryResult.next`); the page
   * starts after it. Keys survive index changes: an item that stays in the result, unchanged in
   * its sort key, is neither repeated nor skipped by a walk over the pages.
   */
  readonly after?: string;
}

/** The result of one query: a page of matches in the query's sort order. */
export interface QueryResult {
  readonly items: readonly MetadataRecord[];
  /** Number of all matches, on every page. */
  readonly total: number;
  /** The sort key of the last item, present when more matches follow this page. */
  readonly next?: string;
}

/** One step of a query plan, with the number of candidates left after it. */
export interface ExplainedStep {
  /** The condition, such as `tag all "pci"` or `environment in (production)`. */
  readonly condition: string;
  /** The index's estimate before evaluation, from its set sizes. */
  readonly estimate: number;
  /** Candidates left after this step. */
  readonly candidates: number;
}

/** The plan that a query runs, in evaluation order. */
export interface QueryExplanation {
  readonly steps: readonly ExplainedStep[];
  readonly total: number;
}

/** Counts of the matches of a query per value of each dimension. */
export interface Facets {
  readonly total: number;
  readonly tags: Readonly<Record<string, number>>;
  readonly environments: Readonly<Record<string, number>>;
  readonly regions: Readonly<Record<string, number>>;
  /** Keyed by major version, such as `"2"`. */
  readonly majorVersions: Readonly<Record<string, number>>;
}

/** One change of the stored records. */
export interface IndexChange {
  /** The index revision after the change. */
  readonly revision: number;
  /** The resourceVersion of the watch event behind the change, when the writer passed one. */
  readonly resourceVersion?: string;
  /** The record before the change; absent for an add. */
  readonly before?: MetadataRecord;
  /** The record after the change; absent for a delete. */
  readonly after?: MetadataRecord;
}

/** Receives index notifications, synchronously, in the order of the changes. */
export interface IndexListener {
  onChange?(change: IndexChange): void;
  /** Called when the watermark advanced, with the new watermark. */
  onWatermark?(watermark: string): void;
}

/**
 * IndexReader is the read side of `MetadataIndex`, the narrow interface that the HTTP endpoint
 * and the query reconciler receive.
 */
export interface IndexReader {
  /** Increases by at least one with every change to the stored records. */
  readonly revision: number;
  /**
   * The resourceVersion up to which every watch event has been applied, as a decimal string;
   * `"0"` before the first list.
   */
  readonly watermark: string;
  /** Number of records stored. */
  readonly size: number;
  get(namespace: string, name: string): MetadataRecord | undefined;
  /**
   * Returns every namespace that contains at least one record, in no particular order. The iterator
   * is live, so a caller copies it before the next write.
   */
  namespaces(): Iterable<string>;
  /**
   * Returns a page of the matches of `query`. Throws `QueryError` for an invalid version range,
   * selector or page key.
   */
  query(query: ServiceQuery, page?: QueryPage): QueryResult;
  /** Returns the plan of `query` with the candidate count after each step. */
  explain(query: ServiceQuery): QueryExplanation;
  /** Counts the matches of `query` per tag, environment, region and major version. */
  facets(query: ServiceQuery): Facets;
  /** Registers a listener; returns the function that removes it. */
  subscribe(listener: IndexListener): () => void;
}
