/**
 * The parameters of the OpenAPI document, written out by hand rather than derived from the
 * parser's tables, so that a test comparing the two catches a parameter added to one and not the
 * other. The limits come from the same constants that the parser enforces.
 */
import { MAX_SELECTOR_LENGTH } from '../query/selector.ts';
import { MAX_TIMEOUT_MS } from './consistency-parameters.ts';
import { MAX_VALUE_LENGTH, MAX_VALUES_PER_PARAMETER } from './query-parameters.ts';
import { DEFAULT_LIMIT, MAX_CONTINUE_LENGTH, MAX_LIMIT } from './service-query-parameters.ts';

/** An OpenAPI 3.1 parameter object. */
export interface OpenApiParameter {
  readonly name: string;
  readonly in: 'query' | 'path';
  readonly description: string;
  readonly required?: boolean;
  readonly style?: 'form';
  readonly explode?: boolean;
  readonly schema: Readonly<Record<string, unknown>>;
}

/** The notation of `timeout`, as `parseDurationMs` accepts it. */
const DURATION_PATTERN = '^(?:(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:ms|s|m|h))+$';

const DECIMAL_PATTERN = '^[0-9]+$';

const text = { type: 'string', minLength: 1, maxLength: MAX_VALUE_LENGTH };

/** Builds a filter parameter that may be repeated, each occurrence carrying one value. */
function repeated(name: string, description: string): OpenApiParameter {
  return {
    name,
    in: 'query',
    description: `${description} Repeat the parameter for more values; a comma is part of a value.`,
    style: 'form',
    explode: true,
    schema: { type: 'array', maxItems: MAX_VALUES_PER_PARAMETER, items: text },
  };
}

function single(
  name: string,
  description: string,
  schema: Readonly<Record<string, unknown>>,
): OpenApiParameter {
  return { name, in: 'query', description, schema };
}

/** The filter parameters, shared by `GET /v1/services` and `GET /v1/facets`. */
export const FILTER_PARAMETERS: readonly OpenApiParameter[] = [
  repeated('namespace', 'Objects in any of these namespaces.'),
  repeated('service', 'Objects whose spec.service equals any of these names.'),
  repeated('environment', 'Objects whose spec.environment equals any of these values.'),
  repeated('notEnvironment', 'Objects whose spec.environment equals none of these values.'),
  repeated('region', 'Objects whose spec.region equals any of these values.'),
  repeated('notRegion', 'Objects whose spec.region equals none of these values.'),
  repeated('tag', 'Objects that carry every one of these tags.'),
  repeated('anyTag', 'Objects that carry at least one of these tags.'),
  repeated('notTag', 'Objects that carry none of these tags.'),
  single(
    'version',
    'A node-semver 7 range in strict mode, such as ">=2.0.0 <3.0.0" or "^1.4"; send "+" as %2B.',
    text,
  ),
  single('includePrerelease', 'Whether pre-release versions satisfy version like releases.', {
    type: 'boolean',
    default: false,
  }),
  single(
    'selector',
    'A Kubernetes label selector over spec.attributes, as kubectl get -l takes it, where a ' +
      'value in double quotes may hold any character.',
    { type: 'string', minLength: 1, maxLength: MAX_SELECTOR_LENGTH },
  ),
];

/** `timeout`, `minResourceVersion` and `waitForChange`. */
export const WAIT_PARAMETERS: Readonly<Record<string, OpenApiParameter>> = {
  timeout: single(
    'timeout',
    'How long the request may wait for minResourceVersion, a continue token of another ' +
      `replica, or waitForChange, such as 30s, 2m or 1500ms; above 0 and at most ` +
      `${MAX_TIMEOUT_MS / 60_000}m. Default 30s. With watch=true it also ends the stream.`,
    { type: 'string', pattern: DURATION_PATTERN, maxLength: MAX_VALUE_LENGTH },
  ),
  minResourceVersion: single(
    'minResourceVersion',
    'Serve only once the index has applied every watch event up to this resourceVersion, ' +
      'such as the one of your own write; a 504 Timeout when the timeout ends first.',
    { type: 'string', pattern: DECIMAL_PATTERN, maxLength: MAX_VALUE_LENGTH },
  ),
  waitForChange: single(
    'waitForChange',
    'A blocking query: the X-Result-Version of an earlier response. The response waits until ' +
      'the result changes after it, or the timeout ends (then 200 with the unchanged result). ' +
      'It returns at once when the replica cannot prove that nothing changed since.',
    { type: 'string', pattern: DECIMAL_PATTERN, maxLength: MAX_VALUE_LENGTH },
  ),
};

/** The parameters of `GET /v1/services` other than the filters and the waits. */
export const PAGE_PARAMETERS: readonly OpenApiParameter[] = [
  single('sort', 'name: namespace, then name; version: newest first by SemVer precedence.', {
    type: 'string',
    enum: ['name', 'version'],
    default: 'name',
  }),
  single('limit', 'The maximum number of items on the page.', {
    type: 'integer',
    minimum: 1,
    maximum: MAX_LIMIT,
    default: DEFAULT_LIMIT,
  }),
  single(
    'continue',
    'The continue token of the previous page, sent back unchanged with the same filters and sort.',
    { type: 'string', minLength: 1, maxLength: MAX_CONTINUE_LENGTH },
  ),
  single('explain', 'Return the query plan instead of the items.', {
    type: 'boolean',
    default: false,
  }),
  single(
    'watch',
    'Stream newline-delimited JSON events of the matches and their changes instead of a page. ' +
      'Not with limit, continue, explain or waitForChange.',
    { type: 'boolean', default: false },
  ),
];

/** The path parameters of `GET /v1/services/{namespace}/{name}`. */
export const OBJECT_PATH_PARAMETERS: readonly OpenApiParameter[] = [
  { name: 'namespace', in: 'path', required: true, description: 'The namespace.', schema: text },
  { name: 'name', in: 'path', required: true, description: 'The object name.', schema: text },
];
