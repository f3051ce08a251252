/**
 * The conditions of a query, one per restriction, in the form that the planner orders and the
 * index evaluates. A query is the AND of its conditions.
 */
import type { CompiledQuery } from './matcher.ts';
import { formatRequirement, isIndexable } from './requirement.ts';
import type { Requirement } from './requirement.ts';

/** A single-valued dimension of a record that a query restricts to a set of accepted values. */
export type SetDimension = 'namespace' | 'service' | 'environment' | 'region';

/**
 * One condition of a query:
 * - `in`: the dimension's value is one of `values`;
 * - `notIn`: the dimension's value is none of `values`;
 * - `tagAll`: the record has `tag` (one condition per tag of `tags.all`);
 * - `tagAny`: the record has at least one of `tags`;
 * - `tagNone`: the record lacks `tag` (one condition per tag of `tags.none`);
 * - `version`: the version satisfies the range;
 * - `attribute`: the attributes satisfy one requirement of the selector.
 */
export type Condition =
  | { readonly kind: 'in'; readonly dimension: SetDimension; readonly values: readonly string[] }
  | {
      readonly kind: 'notIn';
      readonly dimension: 'environment' | 'region';
      readonly values: readonly string[];
    }
  | { readonly kind: 'tagAll'; readonly tag: string }
  | { readonly kind: 'tagAny'; readonly tags: readonly string[] }
  | { readonly kind: 'tagNone'; readonly tag: string }
  | { readonly kind: 'version'; readonly range: string; readonly includePrerelease: boolean }
  | { readonly kind: 'attribute'; readonly requirement: Requirement };

/**
 * Tells whether the index can list the records that satisfy a condition from an inverted index.
 * Negative conditions (`notIn`, `tagNone`, and the selector's `!=`, `notin`, `!`, `>` and `<`)
 * also hold for records that no index entry names, so they run as filters over the candidates.
 */
export function isIndexStep(condition: Condition): boolean {
  switch (condition.kind) {
    case 'notIn':
    case 'tagNone':
      return false;
    case 'attribute':
      return isIndexable(condition.requirement);
    default:
      return true;
  }
}

/**
 * Lists the conditions of a query in a fixed order: namespace, service, environment and region
 * sets, tags of `all` as listed, the `any` tags, the version range, the selector's requirements as
 * written, then environment and region exclusions and the tags of `none`. Empty lists produce no
 * condition, and duplicate values are dropped.
 */
export function listConditions(compiled: CompiledQuery): Condition[] {
  const { query } = compiled;
  const conditions: Condition[] = [];
  const sets: ReadonlyArray<readonly [SetDimension, readonly string[]]> = [
    ['namespace', query.namespaces],
    ['service', query.services],
    ['environment', query.environments.in],
    ['region', query.regions.in],
  ];

  for (const [dimension, values] of sets) {
    if (values.length > 0) {
      conditions.push({ kind: 'in', dimension, values: unique(values) });
    }
  }

  for (const tag of unique(query.tags.all)) {
    conditions.push({ kind: 'tagAll', tag });
  }

  if (query.tags.any.length > 0) {
    conditions.push({ kind: 'tagAny', tags: unique(query.tags.any) });
  }

  if (query.version !== undefined) {
    const { includePrerelease } = query;
    conditions.push({ kind: 'version', range: query.version, includePrerelease });
  }

  for (const requirement of compiled.selector.requirements) {
    conditions.push({ kind: 'attribute', requirement });
  }

  const exclusions = [
    ['environment', query.environments.notIn],
    ['region', query.regions.notIn],
  ] as const;
  for (const [dimension, values] of exclusions) {
    if (values.length > 0) {
      conditions.push({ kind: 'notIn', dimension, values: unique(values) });
    }
  }

  for (const tag of unique(query.tags.none)) {
    conditions.push({ kind: 'tagNone', tag });
  }

  return conditions;
}

/**
 * Describes a condition for a plan explanation, such as `environment in (production)`,
 * `tag all "pci"`, `version satisfies "^1.4"` or `selector team in (core,web)`.
 */
export function describeCondition(condition: Condition): string {
  switch (condition.kind) {
    case 'in':
      return `${condition.dimension} in (${condition.values.join(', ')})`;
    case 'notIn':
      return `${condition.dimension} notin (${condition.values.join(', ')})`;
    case 'tagAll':
      return `tag all ${JSON.stringify(condition.tag)}`;
    case 'tagAny':
      return `tag any (${condition.tags.join(', ')})`;
    case 'tagNone':
      return `tag none ${JSON.stringify(condition.tag)}`;
    case 'version': {
      const suffix = condition.includePrerelease ? ' including pre-releases' : '';
      return `version satisfies ${JSON.stringify(condition.range)}${suffix}`;
    }
    case 'attribute':
      return `selector ${formatRequirement(condition.requirement)}`;
  }
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
