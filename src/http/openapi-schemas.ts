/**
 * The schemas and headers of the OpenAPI document: the bodies that the endpoint returns, the
 * Kubernetes-shaped `Status` of every error, and the response headers.
 */
import {
  RESOURCE_VERSION_HEADER,
  RESULT_VERSION_HEADER,
  STALE_SECONDS_HEADER,
} from './route-types.ts';

type Schema = Readonly<Record<string, unknown>>;

const decimal: Schema = { type: 'string', pattern: '^[0-9]+$' };
const counts: Schema = { type: 'object', additionalProperties: { type: 'integer', minimum: 0 } };

/** Builds an object schema whose every property is required and no other property is allowed. */
function closedObject(
  properties: Record<string, Schema>,
  optional: readonly string[] = [],
): Schema {
  return {
    type: 'object',
    required: Object.keys(properties).filter((name) => !optional.includes(name)),
    properties,
    additionalProperties: false,
  };
}

function ref(name: string): Schema {
  return { $ref: `#/components/schemas/${name}` };
}

const resourceVersion: Schema = {
  ...decimal,
  description:
    'The index watermark: every watch event up to it has been applied; "0" before the first list.',
};

/** The `components.schemas` of the document. */
export const SCHEMAS: Readonly<Record<string, Schema>> = {
  ServiceItem: closedObject({
    namespace: { type: 'string' },
    name: { type: 'string' },
    uid: { type: 'string' },
    generation: { type: 'integer', minimum: 1 },
    service: { type: 'string' },
    version: { type: 'string', description: 'The spec version without a leading v.' },
    environment: { type: 'string' },
    region: { type: 'string' },
    tags: { type: 'array', items: { type: 'string' }, uniqueItems: true },
    attributes: { type: 'object', additionalProperties: { type: 'string' } },
  }),
  ServiceList: closedObject(
    {
      resourceVersion,
      total: { type: 'integer', minimum: 0, description: 'The number of all matches.' },
      items: { type: 'array', items: ref('ServiceItem') },
      continue: { type: 'string', description: 'Present when more items follow.' },
    },
    ['continue'],
  ),
  QueryPlan: closedObject({
    resourceVersion,
    total: { type: 'integer', minimum: 0 },
    plan: closedObject({
      steps: {
        type: 'array',
        items: closedObject({
          condition: { type: 'string' },
          estimate: { type: 'integer', minimum: 0 },
          candidates: { type: 'integer', minimum: 0 },
        }),
      },
    }),
  }),
  Facets: closedObject({
    resourceVersion,
    total: { type: 'integer', minimum: 0 },
    tags: counts,
    environments: counts,
    regions: counts,
    majorVersions: counts,
  }),
  Bookmark: closedObject({ resourceVersion }),
  WatchEvent: closedObject({
    type: { type: 'string', enum: ['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR'] },
    object: {
      description:
        'A ServiceItem for ADDED, MODIFIED and DELETED (the last state that matched), a ' +
        'Bookmark for BOOKMARK, and a Status for ERROR, the last event of a stream.',
      oneOf: [ref('ServiceItem'), ref('Bookmark'), ref('Status')],
    },
  }),
  StatusCause: closedObject({
    reason: {
      type: 'string',
      enum: [
        'FieldValueInvalid',
        'FieldValueRequired',
        'FieldValueTooLong',
        'FieldValueTooMany',
        'FieldValueNotSupported',
        'ResourceVersionTooLarge',
      ],
    },
    field: { type: 'string', description: 'The query parameter or path segment at fault.' },
    message: { type: 'string' },
  }),
  Status: closedObject(
    {
      kind: { const: 'Status' },
      apiVersion: { const: 'v1' },
      metadata: { type: 'object', maxProperties: 0 },
      status: { const: 'Failure' },
      message: { type: 'string' },
      reason: {
        type: 'string',
        enum: [
          'BadRequest',
          'Unauthorized',
          'Forbidden',
          'NotFound',
          'MethodNotAllowed',
          'Expired',
          'RequestEntityTooLarge',
          'TooManyRequests',
          'ServiceUnavailable',
          'Timeout',
          'InternalError',
        ],
      },
      details: closedObject(
        {
          name: { type: 'string' },
          group: { type: 'string' },
          kind: { type: 'string' },
          causes: { type: 'array', maxItems: 16, items: ref('StatusCause') },
          retryAfterSeconds: { type: 'integer', minimum: 1 },
        },
        ['name', 'group', 'kind', 'causes', 'retryAfterSeconds'],
      ),
      code: { type: 'integer' },
    },
    ['details'],
  ),
};

function header(description: string, schema: Schema = { type: 'string' }): Schema {
  return { description, schema };
}

/** The `components.headers` of the document. */
export const HEADERS: Readonly<Record<string, Schema>> = {
  [RESOURCE_VERSION_HEADER]: header(
    'The index watermark when the response was built, as the body resourceVersion.',
    decimal,
  ),
  [RESULT_VERSION_HEADER]: header(
    'The resourceVersion of the last change that altered this query result (its items or any ' +
      'field of one). For a query this replica has not seen recently, the watermark at that ' +
      'time: no change since at least that version. Pass it to waitForChange.',
    decimal,
  ),
  [STALE_SECONDS_HEADER]: header(
    'Seconds since the index last received a watch event or bookmark, such as 0 or 2.5.',
    { type: 'string', pattern: '^[0-9]+(\\.[0-9])?$' },
  ),
  'Cache-Control': header('Always no-store.', { const: 'no-store' }),
  'X-Content-Type-Options': header('Always nosniff.', { const: 'nosniff' }),
  'Retry-After': header('Seconds after which the request may be retried.', {
    type: 'string',
    pattern: '^[0-9]+$',
  }),
  Allow: header('The allowed methods.', { const: 'GET, HEAD' }),
  'WWW-Authenticate': header('The accepted authentication scheme.', { const: 'Bearer' }),
};
