/**
 * Errors of the query endpoint, shaped like a Kubernetes `metav1.Status` so that clients which
 * already decode API server errors can decode these too. A handler throws a `StatusError`, and
 * the server turns it into the JSON body with `toStatusBody`.
 */
import { GROUP, SERVICE_METADATA_PLURAL } from '../api/types.ts';

/** The `reason` values that the endpoint sends, as the Kubernetes API names them. */
export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'MethodNotAllowed'
  | 'Expired'
  | 'RequestEntityTooLarge'
  | 'TooManyRequests'
  | 'ServiceUnavailable'
  | 'Timeout'
  | 'InternalError';

/**
 * The `reason` of one cause, from the Kubernetes `CauseType` values: the value is invalid,
 * missing, too long, repeated too often, or not one of the supported names, or the requested
 * resourceVersion is above what the replica has applied.
 */
export type StatusCauseReason =
  | 'FieldValueInvalid'
  | 'FieldValueRequired'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'FieldValueNotSupported'
  | 'ResourceVersionTooLarge';

/** One problem with the request, naming the query parameter or path segment in `field`. */
export interface StatusCause {
  readonly reason: StatusCauseReason;
  readonly field: string;
  readonly message: string;
}

/** Extra detail of a `Status`: the object that was not found, or the causes of a 400. */
export interface StatusDetails {
  readonly name?: string;
  readonly group?: string;
  readonly kind?: string;
  readonly causes?: readonly StatusCause[];
  /** Seconds after which the client may retry, also sent in `Retry-After`. */
  readonly retryAfterSeconds?: number;
}

/** The JSON body of every error response. */
export interface StatusBody {
  readonly kind: 'Status';
  readonly apiVersion: 'v1';
  readonly metadata: Record<string, never>;
  readonly status: 'Failure';
  readonly message: string;
  readonly reason: StatusReason;
  readonly details?: StatusDetails;
  readonly code: number;
}

/** An error that a route handler throws to respond with a `Status` body and the HTTP `code`. */
export class StatusError extends Error {
  /** The HTTP status code, also sent as the body's `code`. */
  readonly code: number;
  readonly reason: StatusReason;
  readonly details: StatusDetails | undefined;
  /** Response headers to add, such as `Allow` for a 405. */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    code: number,
    reason: StatusReason,
    message: string,
    details?: StatusDetails,
    headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'StatusError';
    this.code = code;
    this.reason = reason;
    this.details = details;
    this.headers = headers;
  }
}

/** Creates a 400 `BadRequest` error whose details list every cause. */
export function badRequest(message: string, causes: readonly StatusCause[]): StatusError {
  return new StatusError(400, 'BadRequest', message, { causes });
}

/** Creates a 404 `NotFound` error for a `ServiceMetadata` object that the index does not store. */
export function objectNotFound(namespace: string, name: string): StatusError {
  const resource = `${SERVICE_METADATA_PLURAL}.${GROUP}`;
  const message = `${resource} ${quoteValue(name)} not found in namespace ${quoteValue(namespace)}`;
  return new StatusError(404, 'NotFound', message, {
    name,
    group: GROUP,
    kind: SERVICE_METADATA_PLURAL,
  });
}

/** Creates a 404 `NotFound` error for a path that no route serves, listing the `known` routes. */
export function pathNotFound(path: string, known: readonly string[]): StatusError {
  const message = `no route for path ${quoteValue(path)}; routes are ${known.join(', ')}`;
  return new StatusError(404, 'NotFound', message);
}

/** Creates a 405 `MethodNotAllowed` error with an `Allow` header listing `allowed`. */
export function methodNotAllowed(method: string, allowed: readonly string[]): StatusError {
  const message = `method ${quoteValue(method)} is not allowed; use ${allowed.join(' or ')}`;
  return new StatusError(405, 'MethodNotAllowed', message, undefined, {
    Allow: allowed.join(', '),
  });
}

/**
 * Creates a 504 `Timeout` error for a request whose wait for the index to reach `expected` ended
 * while the watermark was still below it.
 *
 * @param field - The query parameter that asked for the version: `minResourceVersion` or
 *   `continue`.
 */
export function resourceVersionTimeout(
  field: string,
  expected: string,
  watermark: string,
  timeoutMs: number,
): StatusError {
  const message =
    `timed out after ${timeoutMs} ms waiting for the index to reach resourceVersion ${expected} ` +
    `(${field}); the watermark is ${watermark}. Retry, or send a longer timeout`;
  const cause: StatusCause = { reason: 'ResourceVersionTooLarge', field, message };
  return new StatusError(
    504,
    'Timeout',
    message,
    { causes: [cause], retryAfterSeconds: 1 },
    {
      'Retry-After': '1',
    },
  );
}

/** Creates a 429 `TooManyRequests` error with a `Retry-After` header of `retryAfterSeconds`. */
export function tooManyRequests(message: string, retryAfterSeconds: number): StatusError {
  return new StatusError(
    429,
    'TooManyRequests',
    message,
    { retryAfterSeconds },
    { 'Retry-After': String(retryAfterSeconds) },
  );
}

/** Creates a 503 `ServiceUnavailable` error carrying the reason that the server is not ready. */
export function serviceUnavailable(message: string): StatusError {
  return new StatusError(503, 'ServiceUnavailable', message);
}

/**
 * Creates the 500 `InternalError` sent for an unexpected exception. The message stays generic so
 * that no internal detail reaches the client; the server logs the exception itself.
 */
export function internalError(): StatusError {
  return new StatusError(500, 'InternalError', 'internal error while handling the request');
}

/** Builds the `Status` body of an error, with `details` only when the error has some. */
export function toStatusBody(error: StatusError): StatusBody {
  const body: StatusBody = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: error.message,
    reason: error.reason,
    code: error.code,
  };

  return error.details === undefined ? body : { ...body, details: error.details };
}

/** Maximum number of characters of a client-supplied value that a message repeats. */
export const MAX_QUOTED_LENGTH = 64;

/**
 * Quotes a client-supplied value for an error message as a JSON string, cut to
 * `MAX_QUOTED_LENGTH` characters with `...` appended, so that a huge value cannot inflate the
 * response.
 */
export function quoteValue(value: string): string {
  if (value.length <= MAX_QUOTED_LENGTH) {
    return JSON.stringify(value);
  }

  return `${JSON.stringify(value.slice(0, MAX_QUOTED_LENGTH))}...`;
}
