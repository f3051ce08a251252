/**
 * The query planner: it turns a `ServiceQuery` into steps, one per restricting condition, and
 * orders them so that evaluation starts from the most selective one. The planner is pure. The
 * index that evaluates the plan supplies each step's estimated candidate count.
 */
import type { ServiceQuery } from './model.ts';

/** A single-valued dimension of a record that a query restricts to a set of accepted values. */
export type SetDimension = 'namespace' | 'service' | 'environment' | 'region';

/**
 * PlanStep is one restricting condition of a query.
 *
 * A set step matches a record whose value of the dimension is any of `values` (union). A tag step
 * matches a record that carries the tag, and the query's tag steps must all match (intersection).
 * A version step matches a record whose version satisfies the range text; the index evaluates it by
 * scanning the distinct versions that it stores.
 */
export type PlanStep =
  | { readonly kind: SetDimension; readonly values: readonly string[] }
  | { readonly kind: 'tag'; readonly tag: string }
  | { readonly kind: 'version'; readonly range: string };

/** A step together with its estimated number of candidate records. */
export interface PlannedStep {
  readonly step: PlanStep;
  /** The estimated number of records that match this step alone. */
  readonly cardinality: number;
}

/**
 * Plan is the evaluation order of a query: its steps in ascending cardinality, with ties kept in
 * the order namespace, service, environment, region, tags as listed, version. No steps means the
 * query matches every record.
 */
export interface Plan {
  readonly steps: readonly PlannedStep[];
}

/**
 * Estimates how many records match one step alone. The exact count is best. An upper bound also
 * works, because a step estimated at zero is then certain to match nothing.
 */
export type CardinalityEstimator = (step: PlanStep) => number;

/**
 * Plans a query: lists one step per restricting condition and orders the steps by ascending
 * cardinality, so that evaluation starts from the smallest candidate set and filters it with
 * the rest.
 *
 * Empty lists restrict nothing and produce no step. Duplicate values within a list are dropped,
 * so a set step never counts a value twice and no tag is tested twice.
 *
 * @throws RangeError when `cardinality` returns a negative number, NaN or infinity.
 */
export function planQuery(query: ServiceQuery, cardinality: CardinalityEstimator): Plan {
  const steps = listSteps(query).map((step) => ({ step, cardinality: checked(step, cardinality) }));

  // Array.prototype.sort is stable, so steps with equal cardinality keep the listed order.
  steps.sort((left, right) => left.cardinality - right.cardinality);
  return { steps };
}

/** Lists the restricting steps of a query in their fixed order, without duplicates. */
function listSteps(query: ServiceQuery): PlanStep[] {
  const steps: PlanStep[] = [];
  const sets: ReadonlyArray<readonly [SetDimension, readonly string[]]> = [
    ['namespace', query.namespaces],
    ['service', query.services],
    ['environment', query.environments],
    ['region', query.regions],
  ];

  for (const [kind, values] of sets) {
    if (values.length > 0) {
      steps.push({ kind, values: [...new Set(values)] });
    }
  }

  for (const tag of new Set(query.tags)) {
    steps.push({ kind: 'tag', tag });
  }

  if (query.version !== undefined) {
    steps.push({ kind: 'version', range: query.version });
  }

  return steps;
}

/** Calls the estimator and rejects a result that cannot be ordered. */
function checked(step: PlanStep, cardinality: CardinalityEstimator): number {
  const estimate = cardinality(step);
  if (!Number.isFinite(estimate) || estimate < 0) {
    const rule = 'must be a finite number of at least 0';
    throw new RangeError(`invalid cardinality ${estimate} for the ${step.kind} step: ${rule}`);
  }

  return estimate;
}
