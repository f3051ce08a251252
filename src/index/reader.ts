import type { ServiceQuery } from '../query/model.ts';
import type { MetadataRecord } from './record.ts';

/** The result of one query: every match, in ascending namespace/name order. */
export interface QueryResult {
  readonly items: readonly MetadataRecord[];
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
  query(query: ServiceQuery): QueryResult;
}
