/**
 * The OpenAPI 3.1 document of the query endpoint, served at `GET /openapi.json` and checked in as
 * `docs/openapi.json`. A unit test checks that the two are equal and that the parameters listed
 * here are exactly those that the parsers accept. After changing the API, regenerate the file with
 * `node -e "import('./src/http/openapi.ts').then((m) => process.stdout.write(m.OPENAPI_JSON))" >
 * docs/openapi.json` and format it with `npx prettier --write docs/openapi.json`.
 */
import {
  FILTER_PARAMETERS,
  OBJECT_PATH_PARAMETERS,
  PAGE_PARAMETERS,
  WAIT_PARAMETERS,
  type OpenApiParameter,
} from './openapi-parameters.ts';
import { HEADERS, SCHEMAS } from './openapi-schemas.ts';
import {
  RESOURCE_VERSION_HEADER,
  RESULT_VERSION_HEADER,
  STALE_SECONDS_HEADER,
} from './route-types.ts';

type Json = Readonly<Record<string, unknown>>;

const COMMON_HEADERS = ['Cache-Control', 'X-Content-Type-Options'];
const QUERY_HEADERS = [...COMMON_HEADERS, RESOURCE_VERSION_HEADER, STALE_SECONDS_HEADER];
const RESULT_HEADERS = [...QUERY_HEADERS, RESULT_VERSION_HEADER];

function headers(names: readonly string[]): Json {
  return Object.fromEntries(names.map((name) => [name, { $ref: `#/components/headers/${name}` }]));
}

function jsonContent(schema: string): Json {
  return { 'application/json': { schema: { $ref: `#/components/schemas/${schema}` } } };
}

function textResponse(description: string, mediaType = 'text/plain; charset=utf-8'): Json {
  return {
    description,
    headers: headers(COMMON_HEADERS),
    content: { [mediaType]: { schema: { type: 'string' } } },
  };
}

/** Builds the error responses of a route, each with a `Status` body and the route's headers. */
function errors(codes: Readonly<Record<string, string>>, routeHeaders: readonly string[]): Json {
  const extra: Readonly<Record<string, readonly string[]>> = {
    '401': ['WWW-Authenticate'],
    '405': ['Allow'],
    '429': ['Retry-After'],
    '504': ['Retry-After'],
  };
  return Object.fromEntries(
    Object.entries(codes).map(([code, description]) => [
      code,
      {
        description,
        headers: headers([...routeHeaders, ...(extra[code] ?? [])]),
        content: jsonContent('Status'),
      },
    ]),
  );
}

const BAD_REQUEST =
  'BadRequest: an unknown, empty, overlong or repeated parameter, too many parameters, or an invalid value; details.causes names each.';
const URI_TOO_LONG =
  'RequestEntityTooLarge: the URL is longer than the configured maximum (8192 characters by default).';
const METHOD = 'MethodNotAllowed: a method other than GET or HEAD.';
const UNAUTHORIZED =
  'Unauthorized: with auth kubernetes, the bearer token is missing, malformed, not valid or not issued for the audience of the endpoint.';
const FORBIDDEN =
  'Forbidden: the request names a namespace (in namespace or in the path) in which the caller may not list servicemetadatas.';
const UNAVAILABLE =
  'ServiceUnavailable: the server shut down while the request waited, or the API server could not check the token or the access of the caller.';
const TIMEOUT =
  'Timeout: the index did not reach minResourceVersion (or the resourceVersion of the continue token) before the timeout; the message names the watermark and the expected version.';
const WATCH_LIMIT =
  'TooManyRequests: the limit of open watch streams, in total or of this client, is reached.';
const INTERNAL = 'InternalError: a bug; the message is generic and the error is logged.';

const QUERY_ERRORS = {
  '400': BAD_REQUEST,
  '401': UNAUTHORIZED,
  '403': FORBIDDEN,
  '405': METHOD,
  '414': URI_TOO_LONG,
  '500': INTERNAL,
  '503': UNAVAILABLE,
  '504': TIMEOUT,
};

/** Every parameter, keyed by its name, except that a path parameter's key starts with `path`. */
const PARAMETERS: Readonly<Record<string, OpenApiParameter>> = Object.fromEntries(
  [...FILTER_PARAMETERS, ...PAGE_PARAMETERS, ...Object.values(WAIT_PARAMETERS)]
    .map((parameter) => [parameter.name, parameter] as const)
    .concat(OBJECT_PATH_PARAMETERS.map((parameter) => [pathKey(parameter.name), parameter])),
);

function pathKey(name: string): string {
  return `path${name.slice(0, 1).toUpperCase()}${name.slice(1)}`;
}

/** The security requirement of the query routes: a bearer token, or none with auth none. */
const BEARER_SECURITY = [{ bearerToken: [] }, {}];

/**
 * Builds a GET operation whose parameters refer to `components.parameters`. An operation that
 * can return 401 accepts a bearer token; the others need no credentials.
 */
function operation(
  summary: string,
  parameters: readonly OpenApiParameter[],
  responses: Json,
): Json {
  const refs = parameters.map((parameter) => {
    const key = parameter.in === 'path' ? pathKey(parameter.name) : parameter.name;
    return { $ref: `#/components/parameters/${key}` };
  });
  const isQuery = '401' in responses;
  const security = isQuery ? BEARER_SECURITY : [];
  return { get: { summary, parameters: refs, security, responses } };
}

const WAITS = [WAIT_PARAMETERS.timeout, WAIT_PARAMETERS.minResourceVersion] as OpenApiParameter[];
const CHANGE_WAIT = WAIT_PARAMETERS.waitForChange as OpenApiParameter;

const PATHS: Json = {
  '/v1/services': operation(
    'List the objects that match the filters, a page at a time, or watch them',
    [...FILTER_PARAMETERS, ...PAGE_PARAMETERS, ...WAITS, CHANGE_WAIT],
    {
      '200': {
        description:
          'A page of matches (ServiceList), the plan with explain=true (QueryPlan), or with ' +
          'watch=true a stream of newline-delimited WatchEvents: ADDED for each match, one ' +
          'BOOKMARK, then ADDED, MODIFIED, DELETED and BOOKMARK events; a client too slow to ' +
          'read gets a final ERROR event with a 410 Expired Status and is disconnected.',
        headers: headers(RESULT_HEADERS),
        content: {
          'application/json': {
            schema: {
              oneOf: [
                { $ref: '#/components/schemas/ServiceList' },
                { $ref: '#/components/schemas/QueryPlan' },
              ],
            },
          },
          'application/x-ndjson': { schema: { $ref: '#/components/schemas/WatchEvent' } },
        },
      },
      ...errors({ ...QUERY_ERRORS, '429': WATCH_LIMIT }, QUERY_HEADERS),
    },
  ),
  '/v1/services/{namespace}/{name}': operation(
    'Get one object',
    [...OBJECT_PATH_PARAMETERS, ...WAITS],
    {
      '200': {
        description: 'The object.',
        headers: headers(QUERY_HEADERS),
        content: jsonContent('ServiceItem'),
      },
      ...errors(
        { ...QUERY_ERRORS, '404': 'NotFound: the index stores no valid object of that name.' },
        QUERY_HEADERS,
      ),
    },
  ),
  '/v1/facets': operation(
    'Count the matches per tag, environment, region and major version',
    [...FILTER_PARAMETERS, ...WAITS, CHANGE_WAIT],
    {
      '200': {
        description: 'The counts.',
        headers: headers(RESULT_HEADERS),
        content: jsonContent('Facets'),
      },
      ...errors(QUERY_ERRORS, QUERY_HEADERS),
    },
  ),
  '/healthz': operation('Liveness', [], {
    '200': textResponse('ok while the process serves requests.'),
  }),
  '/readyz': operation('Readiness', [], {
    '200': textResponse('ok once the operator is ready.'),
    ...errors(
      { '503': 'ServiceUnavailable: not ready; the message gives the reason.' },
      COMMON_HEADERS,
    ),
  }),
  '/openapi.json': operation('This document', [], {
    '200': {
      description: 'The OpenAPI 3.1 document.',
      headers: headers(COMMON_HEADERS),
      content: { 'application/json': { schema: { type: 'object' } } },
    },
  }),
};

/** The OpenAPI 3.1 document of the endpoint. */
export const OPENAPI_DOCUMENT: Json = {
  openapi: '3.1.0',
  info: {
    title: 'metadata-operator query endpoint',
    version: 'v1',
    description:
      'Read-only queries over the operator in-memory index of valid ServiceMetadata objects. ' +
      'Every route accepts GET and HEAD (the headers of GET without a body); other methods get ' +
      '405, and unknown paths 404. Errors have the shape of a Kubernetes Status. With auth ' +
      'kubernetes (the default) the routes under /v1 need a bearer token and return only ' +
      'objects of the namespaces where the caller may list servicemetadatas.',
  },
  paths: PATHS,
  components: {
    parameters: PARAMETERS,
    schemas: SCHEMAS,
    headers: HEADERS,
    securitySchemes: {
      bearerToken: {
        type: 'http',
        scheme: 'bearer',
        description:
          'A Kubernetes token issued for the audience of the endpoint (metadata-operator by ' +
          'default), such as from kubectl create token <serviceaccount> --audience ' +
          'metadata-operator. Required unless the operator runs with auth none.',
      },
    },
  },
};

/** The document serialized as `GET /openapi.json` sends it. */
export const OPENAPI_JSON = `${JSON.stringify(OPENAPI_DOCUMENT, null, 2)}\n`;
