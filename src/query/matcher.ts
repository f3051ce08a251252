/**
 * The definition of a match: `compileQuery` validates a query once and returns a predicate that
 * tests one record against every condition by brute force. The index evaluates queries faster
 * through its inverted indexes, and its property test checks it against this predicate. Cache
 * invalidation and result tracking use the predicate to test a single changed record.
 */
import type { Range } from 'semver';

import type { ServiceQuery } from './model.ts';
import type { Attributes } from './requirement.ts';
import { parseSelector } from './selector.ts';
import type { Selector } from './selector.ts';
import { parseVersionRange } from './version.ts';

/**
 * The fields of a record that a query reads. The index's `MetadataRecord` has them all, so it is
 * a `Matchable`.
 */
export interface Matchable {
  readonly namespace: string;
  readonly name: string;
  readonly service: string;
  /** An exact semantic version such as `1.2.3-rc.1+build.5`; an invalid one matches no range. */
  readonly version: string;
  readonly environment: string;
  readonly region: string;
  readonly tags: readonly string[];
  readonly attributes: Attributes;
}

/** A validated query, ready to test records. */
export interface CompiledQuery {
  /** The query as given. */
  readonly query: ServiceQuery;
  /** The compiled version range, or undefined when the query has none. */
  readonly range: Range | undefined;
  /** The parsed selector; an empty one when the query has none. */
  readonly selector: Selector;
  /** Tells whether a record satisfies every condition of the query. */
  matches(record: Matchable): boolean;
}

/**
 * Validates a query and compiles it into a predicate. A record matches when every field matches:
 * - `namespaces`, `services`: the value is one of the list, or the list is empty;
 * - `tags.all`: the record has every tag; `tags.any`: at least one, or the list is empty;
 *   `tags.none`: none of them;
 * - `environments`, `regions`: the value is in `in` (or `in` is empty) and not in `notIn`;
 * - `version`: the version satisfies the range, with `includePrerelease` as in
 *   `parseVersionRange`;
 * - `selector`: the attributes satisfy the label selector (see `parseSelector`).
 *
 * @throws QueryError with field `version` for an invalid range and with field `selector` for an
 *   invalid selector.
 */
export function compileQuery(query: ServiceQuery): CompiledQuery {
  const range =
    query.version === undefined
      ? undefined
      : parseVersionRange(query.version, query.includePrerelease);
  const selector = parseSelector(query.selector ?? '');
  const tests = buildTests(query, range, selector);

  return {
    query,
    range,
    selector,
    matches: (record) => tests.every((test) => test(record)),
  };
}

type RecordTest = (record: Matchable) => boolean;

/** Builds one test per restricting field, so an unrestricted field costs nothing. */
function buildTests(
  query: ServiceQuery,
  range: Range | undefined,
  selector: Selector,
): RecordTest[] {
  const tests: RecordTest[] = [];
  const oneOf = (values: readonly string[], field: (record: Matchable) => string): void => {
    if (values.length > 0) {
      const accepted = new Set(values);
      tests.push((record) => accepted.has(field(record)));
    }
  };
  const noneOf = (values: readonly string[], field: (record: Matchable) => string): void => {
    if (values.length > 0) {
      const rejected = new Set(values);
      tests.push((record) => !rejected.has(field(record)));
    }
  };

  oneOf(query.namespaces, (record) => record.namespace);
  oneOf(query.services, (record) => record.service);
  oneOf(query.environments.in, (record) => record.environment);
  noneOf(query.environments.notIn, (record) => record.environment);
  oneOf(query.regions.in, (record) => record.region);
  noneOf(query.regions.notIn, (record) => record.region);
  tests.push(...tagTests(query.tags));

  if (range !== undefined) {
    // Range.test returns false for a version that does not parse.
    tests.push((record) => range.test(record.version));
  }

  if (!selector.empty) {
    tests.push((record) => selector.matches(record.attributes));
  }

  return tests;
}

function tagTests(tags: ServiceQuery['tags']): RecordTest[] {
  const tests: RecordTest[] = [];
  if (tags.all.length > 0) {
    tests.push((record) => tags.all.every((tag) => record.tags.includes(tag)));
  }

  if (tags.any.length > 0) {
    tests.push((record) => tags.any.some((tag) => record.tags.includes(tag)));
  }

  if (tags.none.length > 0) {
    tests.push((record) => !tags.none.some((tag) => record.tags.includes(tag)));
  }

  return tests;
}
