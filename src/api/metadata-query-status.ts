/**
 * The status of a query resource, computed as a pure function of the previous status, the
 * validation outcome and the current result. `lastChangeTime` and `resultResourceVersion` move
 * only when the result (the match count, the listed matches or the truncation) changed.
 */
import { desiredStatus, formatConditionTime, statusEquals, type Outcome } from './conditions.ts';
import type { MetadataQueryStatus, QueryMatch } from './metadata-query.ts';

/** The part of the status that the query's result determines. */
export interface QueryResultSummary {
  readonly matchCount: number;
  readonly matches: readonly QueryMatch[];
  readonly truncated: boolean;
}

/** The reason of `Ready=True` on a query resource. */
export const EVALUATED_REASON = 'Evaluated';

const EVALUATED_MESSAGE = 'the query is evaluated and its status follows every change';

const EMPTY_RESULT: QueryResultSummary = { matchCount: 0, matches: [], truncated: false };

/** Returns the fields of a match in a fixed order; the API server returns them sorted by name. */
function matchFields(match: QueryMatch): string {
  const { namespace, name, service, version, environment, region } = match;
  return JSON.stringify([namespace, name, service, version, environment, region]);
}

function sameResult(status: MetadataQueryStatus | undefined, result: QueryResultSummary): boolean {
  const stored = status?.matches ?? [];
  return (
    status?.matchCount === result.matchCount &&
    status.truncated === result.truncated &&
    stored.length === result.matches.length &&
    stored.every((match, i) => matchFields(match) === matchFields(result.matches[i] as QueryMatch))
  );
}

/**
 * Computes the status of a query resource. An invalid query has an empty result. When the result
 * differs from the previous one, `lastChangeTime` becomes `now` and `resultResourceVersion`
 * becomes `changeResourceVersion`; otherwise both keep their previous values.
 */
export function desiredQueryStatus(
  previous: MetadataQueryStatus | undefined,
  generation: number,
  outcome: Outcome,
  result: QueryResultSummary | undefined,
  changeResourceVersion: string,
  now: Date,
): MetadataQueryStatus {
  const ready: Outcome = outcome.valid
    ? { valid: true, readyReason: EVALUATED_REASON, readyMessage: EVALUATED_MESSAGE }
    : outcome;
  const { observedGeneration, conditions } = desiredStatus(previous, generation, ready, now);
  const current = result ?? EMPTY_RESULT;
  const changed = !sameResult(previous, current);

  return {
    observedGeneration,
    matchCount: current.matchCount,
    matches: [...current.matches],
    truncated: current.truncated,
    resultResourceVersion: changed
      ? changeResourceVersion
      : (previous?.resultResourceVersion ?? changeResourceVersion),
    lastChangeTime: changed
      ? formatConditionTime(now)
      : (previous?.lastChangeTime ?? formatConditionTime(now)),
    conditions,
  };
}

/** Returns whether two query statuses are equal in meaning, so that no write is needed. */
export function queryStatusEquals(
  desired: MetadataQueryStatus,
  stored: MetadataQueryStatus | undefined,
): boolean {
  if (stored === undefined) {
    return false;
  }
  return (
    sameResult(stored, {
      matchCount: desired.matchCount ?? 0,
      matches: desired.matches ?? [],
      truncated: desired.truncated ?? false,
    }) &&
    stored.resultResourceVersion === desired.resultResourceVersion &&
    stored.lastChangeTime === desired.lastChangeTime &&
    statusEquals(
      { observedGeneration: desired.observedGeneration, conditions: desired.conditions },
      { observedGeneration: stored.observedGeneration, conditions: stored.conditions },
    )
  );
}
