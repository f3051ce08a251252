/**
 * The evaluation of one compiled query against the index's inverted indexes. The first step of
 * the plan lists the candidates from the smallest key sets, and every other step and filter tests
 * each candidate, so a selective query touches only its candidates and never all records.
 */
import type { Condition, SetDimension } from '../query/condition.ts';
import { describeCondition } from '../query/condition.ts';
import type { CompiledQuery } from '../query/matcher.ts';
import { planQuery } from '../query/planner.ts';
import type { Plan, PlannedCondition } from '../query/planner.ts';
import { compileRequirement } from '../query/requirement.ts';
import type { Requirement } from '../query/requirement.ts';
import type { AttributeIndex } from './attribute-index.ts';
import type { ExplainedStep, QueryExplanation } from './reader.ts';
import type { MetadataRecord } from './record.ts';
import type { ValueIndex } from './value-index.ts';
import type { VersionIndex, VersionMatch } from './version-index.ts';

/** The stores of an index that an evaluation reads. */
export interface IndexedSets {
  readonly records: ReadonlyMap<string, MetadataRecord>;
  readonly versions: VersionIndex;
  readonly attributes: AttributeIndex;
  /** Returns the inverted index of a single-valued dimension, or of tags. */
  valueIndex(dimension: SetDimension | 'tag'): ValueIndex;
}

/** Tests one record against one condition. */
export type RecordFilter = (record: MetadataRecord) => boolean;

/** The plan of one query over one index state, and the means to run it. */
export class QueryEvaluation {
  readonly plan: Plan;
  readonly #sets: IndexedSets;
  readonly #versionMatch: VersionMatch | undefined;

  /** Plans `compiled` with estimates from the current state of `sets`. */
  constructor(sets: IndexedSets, compiled: CompiledQuery) {
    this.#sets = sets;
    // The range is tested against the distinct versions once, and the estimate, the candidates
    // and the filter all reuse that one match.
    const range = compiled.range;
    this.#versionMatch = range === undefined ? undefined : sets.versions.match(range);
    this.plan = planQuery(compiled, (condition) => this.#estimate(condition));
  }

  /** The estimated number of candidates: that of the first step, or all records without one. */
  get candidateEstimate(): number {
    return this.plan.steps[0]?.estimate ?? this.#sets.records.size;
  }

  /** Returns one filter per step and filter of the plan, skipping the first `skip` steps. */
  filters(skip = 0): RecordFilter[] {
    const planned = [...this.plan.steps.slice(skip), ...this.plan.filters];
    return planned.map(({ condition }) => this.#filterFor(condition));
  }

  /**
   * Returns the key set that alone decides the result: that of a plan whose only condition is an
   * index step with a single key set, such as one environment or one tag. Otherwise undefined.
   */
  soleKeySet(): ReadonlySet<string> | undefined {
    const [first, ...rest] = this.plan.steps;
    if (first === undefined || rest.length > 0 || this.plan.filters.length > 0) {
      return undefined;
    }

    const sets = [...this.#keySets(first.condition)];
    return sets.length === 1 ? sets[0] : undefined;
  }

  /** Returns every matching record, in no particular order. */
  matches(): MetadataRecord[] {
    if (this.candidateEstimate === 0) {
      return [];
    }

    const filters = this.filters(1);
    const matches: MetadataRecord[] = [];
    for (const record of this.#candidates()) {
      if (filters.every((filter) => filter(record))) {
        matches.push(record);
      }
    }

    return matches;
  }

  /**
   * Runs the plan one condition at a time and counts the candidates left after each. Without an
   * index step, a first step `all records` lists every record.
   */
  explain(): QueryExplanation {
    const steps: ExplainedStep[] = [];
    const [first, ...rest] = this.plan.steps;
    let candidates = [...this.#candidates()];
    const firstCondition = first === undefined ? 'all records' : describeCondition(first.condition);
    const firstEstimate = first === undefined ? this.#sets.records.size : first.estimate;
    steps.push({
      condition: firstCondition,
      estimate: firstEstimate,
      candidates: candidates.length,
    });

    for (const planned of [...rest, ...this.plan.filters]) {
      const filter = this.#filterFor(planned.condition);
      candidates = candidates.filter(filter);
      steps.push(explained(planned, candidates.length));
    }

    return { steps, total: candidates.length };
  }

  /** Lists the candidate records of the first step, each once, or every record without one. */
  *#candidates(): Iterable<MetadataRecord> {
    const first = this.plan.steps[0];
    if (first === undefined) {
      yield* this.#sets.records.values();
      return;
    }

    const { records } = this.#sets;
    const sets = this.#keySets(first.condition);
    // Only the sets of `tagAny` overlap: a record can carry several of its tags.
    const seen = first.condition.kind === 'tagAny' ? new Set<string>() : undefined;
    for (const keys of sets) {
      for (const key of keys ?? []) {
        if (seen?.has(key) === true) {
          continue;
        }

        seen?.add(key);
        const record = records.get(key);
        if (record !== undefined) {
          yield record;
        }
      }
    }
  }

  /** Returns the key sets whose union is the records that satisfy an index step. */
  #keySets(condition: Condition): Iterable<ReadonlySet<string> | undefined> {
    const { attributes } = this.#sets;
    switch (condition.kind) {
      case 'in': {
        const index = this.#sets.valueIndex(condition.dimension);
        return condition.values.map((value) => index.keysOf(value));
      }
      case 'tagAll':
        return [this.#sets.valueIndex('tag').keysOf(condition.tag)];
      case 'tagAny': {
        const tags = this.#sets.valueIndex('tag');
        return condition.tags.map((tag) => tags.keysOf(tag));
      }
      case 'version':
        return requireMatch(this.#versionMatch).keySets;
      case 'attribute': {
        const { key, operator, values } = condition.requirement;
        if (operator === 'exists') {
          return attributes.keySetsWithName(key);
        }

        return values.map((value) => attributes.keysOf(key, value));
      }
      default:
        throw new Error(`failed to list candidates: ${condition.kind} is not an index step`);
    }
  }

  /** Counts the records that satisfy one condition alone, exactly or as an upper bound. */
  #estimate(condition: Condition): number {
    const size = this.#sets.records.size;
    const tags = this.#sets.valueIndex('tag');
    switch (condition.kind) {
      case 'in':
        return this.#sets.valueIndex(condition.dimension).countOf(condition.values);
      case 'notIn':
        return size - this.#sets.valueIndex(condition.dimension).countOf(condition.values);
      case 'tagAll':
        return tags.countOf([condition.tag]);
      case 'tagAny':
        // An upper bound: a record with two of the tags is counted twice.
        return tags.countOf(condition.tags);
      case 'tagNone':
        return size - tags.countOf([condition.tag]);
      case 'version':
        return requireMatch(this.#versionMatch).count;
      case 'attribute':
        return this.#estimateRequirement(condition.requirement);
    }
  }

  #estimateRequirement(requirement: Requirement): number {
    const { attributes } = this.#sets;
    const { key, operator, values } = requirement;
    const withValues = values.reduce(
      (count, value) => count + (attributes.keysOf(key, value)?.size ?? 0),
      0,
    );
    const size = this.#sets.records.size;

    switch (operator) {
      case 'exists':
        return attributes.countWithName(key);
      case '!':
        return size - attributes.countWithName(key);
      case '=':
      case '==':
      case 'in':
        return withValues;
      case '!=':
      case 'notin':
        return size - withValues;
      case 'gt':
      case 'lt':
        // An upper bound: only records that have the key can match.
        return attributes.countWithName(key);
    }
  }

  #filterFor(condition: Condition): RecordFilter {
    switch (condition.kind) {
      case 'in':
      case 'notIn': {
        const values = new Set(condition.values);
        const field = condition.dimension;
        const included = condition.kind === 'in';
        return (record) => values.has(record[field]) === included;
      }
      case 'tagAll':
      case 'tagNone': {
        // The record's own short tag list is faster to search than the tag's large key set.
        const { tag } = condition;
        const included = condition.kind === 'tagAll';
        return (record) => record.tags.includes(tag) === included;
      }
      case 'tagAny': {
        const { tags } = condition;
        return (record) => tags.some((tag) => record.tags.includes(tag));
      }
      case 'version': {
        const versions = requireMatch(this.#versionMatch).versions;
        return (record) => versions.has(record.version);
      }
      case 'attribute': {
        const test = compileRequirement(condition.requirement);
        return (record) => test(record.attributes);
      }
    }
  }
}

function explained(planned: PlannedCondition, candidates: number): ExplainedStep {
  return {
    condition: describeCondition(planned.condition),
    estimate: planned.estimate,
    candidates,
  };
}

/** Returns the version match of a query with a range, which the constructor always computes. */
function requireMatch(versionMatch: VersionMatch | undefined): VersionMatch {
  if (versionMatch === undefined) {
    throw new Error('failed to evaluate the version condition: the range was not compiled');
  }

  return versionMatch;
}
