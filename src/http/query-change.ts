/**
 * The relation between one index change and the result of one query. A change can alter a result only when
 * the record before it or the record after it matches the query: any other record is outside the
 * result both before and after. The cache, the result versions and the watch streams all test a
 * change this way, with the query compiled once by `compileQuery`.
 */
import type { IndexChange } from '../index/reader.ts';
import type { MetadataRecord } from '../index/record.ts';
import type { CompiledQuery } from '../query/matcher.ts';

/** The watch event types of an item that enters, changes within or leaves a result. */
export type ResultEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One change of a query's result: the event type and the record that the event carries. */
export interface ResultEvent {
  readonly type: ResultEventType;
  /** The record after the change; for `DELETED`, the last record that matched. */
  readonly record: MetadataRecord;
}

/** Tells whether `change` can alter the result of `compiled`: its record before or after matches. */
export function changeAffects(compiled: CompiledQuery, change: IndexChange): boolean {
  return matches(compiled, change.before) || matches(compiled, change.after);
}

/**
 * Classifies `change` for a watch of `compiled`: `ADDED` when the record enters the result,
 * `MODIFIED` when it stays in it, `DELETED` when it leaves. Returns undefined when neither
 * record matches, so the result is unchanged.
 */
export function resultEvent(compiled: CompiledQuery, change: IndexChange): ResultEvent | undefined {
  const before = matches(compiled, change.before) ? change.before : undefined;
  const after = matches(compiled, change.after) ? change.after : undefined;

  if (after !== undefined) {
    return { type: before === undefined ? 'ADDED' : 'MODIFIED', record: after };
  }

  return before === undefined ? undefined : { type: 'DELETED', record: before };
}

function matches(compiled: CompiledQuery, record: MetadataRecord | undefined): boolean {
  return record !== undefined && compiled.matches(record);
}
