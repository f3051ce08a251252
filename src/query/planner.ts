/**
 * The query planner: it turns a compiled query into conditions and orders them so that
 * evaluation starts from the smallest candidate set. Conditions that an inverted index can answer
 * become steps: the first step lists the candidates, and the later steps and then the filters
 * narrow them. The planner is pure; the index that evaluates the plan supplies the estimates.
 */
import { isIndexStep, listConditions } from './condition.ts';
import type { Condition } from './condition.ts';
import type { CompiledQuery } from './matcher.ts';

/** A condition together with the estimated number of records that satisfy it alone. */
export interface PlannedCondition {
  readonly condition: Condition;
  /** The estimated number of records that satisfy this condition alone. */
  readonly estimate: number;
}

/**
 * Plan is the evaluation order of a query. `steps` are the conditions that an index can list, in
 * ascending estimate, and `filters` the negative conditions, also in ascending estimate so that
 * the one that rejects most runs first. Ties keep the order of `listConditions`. No steps means
 * the candidates are all records; no steps and no filters means the query matches every record.
 */
export interface Plan {
  readonly steps: readonly PlannedCondition[];
  readonly filters: readonly PlannedCondition[];
}

/**
 * Estimates how many records satisfy one condition alone. The exact count is best. An upper bound
 * also works, because a step estimated at zero is then certain to match nothing. For a filter,
 * such as `tagNone`, the estimate counts the records that pass it.
 */
export type ConditionEstimator = (condition: Condition) => number;

/**
 * Plans a compiled query: lists its conditions (see `listConditions`), estimates each one, and
 * splits them into ordered index steps and filters.
 *
 * @throws RangeError when `estimate` returns a negative number, NaN or infinity.
 */
export function planQuery(compiled: CompiledQuery, estimate: ConditionEstimator): Plan {
  const steps: PlannedCondition[] = [];
  const filters: PlannedCondition[] = [];

  for (const condition of listConditions(compiled)) {
    const planned = { condition, estimate: checked(condition, estimate) };
    if (isIndexStep(condition)) {
      steps.push(planned);
    } else {
      filters.push(planned);
    }
  }

  // Array.prototype.sort is stable, so conditions with equal estimates keep the listed order.
  steps.sort((left, right) => left.estimate - right.estimate);
  filters.sort((left, right) => left.estimate - right.estimate);
  return { steps, filters };
}

/** Calls the estimator and rejects a result that cannot be ordered. */
function checked(condition: Condition, estimate: ConditionEstimator): number {
  const value = estimate(condition);
  if (!Number.isFinite(value) || value < 0) {
    const rule = 'must be a finite number of at least 0';
    throw new RangeError(`invalid estimate ${value} for the ${condition.kind} condition: ${rule}`);
  }

  return value;
}
