/**
 * The controller's error vocabulary: errors that must not be retried, errors that may be retried
 * after a delay, and the reading of API errors by HTTP status.
 */
import { ApiException } from '@kubernetes/client-node';

/** An error that retrying cannot fix, such as an invalid spec. */
export class TerminalError extends Error {
  override readonly name = 'TerminalError';
}

/** An error worth retrying, after `delayMs` when the server named a delay. */
export class RetryableError extends Error {
  override readonly name = 'RetryableError';
  readonly delayMs?: number;

  constructor(message: string, options: { cause?: unknown; delayMs?: number } = {}) {
    super(message, { cause: options.cause });
    this.delayMs = options.delayMs;
  }
}

/** The HTTP status codes that the controller treats specially. */
export const HttpStatus = {
  Forbidden: 403,
  NotFound: 404,
  Conflict: 409,
  Gone: 410,
  UnprocessableEntity: 422,
  TooManyRequests: 429,
} as const;

/**
 * Returns the HTTP status of an error from @kubernetes/client-node: `ApiException.code` from the
 * API clients, `statusCode` from `Watch`. Undefined for network errors and timeouts.
 */
export function httpStatusOf(err: unknown): number | undefined {
  if (err instanceof ApiException) {
    return err.code;
  }
  if (typeof err === 'object' && err !== null && 'statusCode' in err) {
    const code = err.statusCode;
    return typeof code === 'number' ? code : undefined;
  }
  return undefined;
}

/** Returns the `message` of a Kubernetes `Status` body, if the error carries one. */
function statusMessage(err: unknown): string | undefined {
  if (!(err instanceof ApiException)) {
    return undefined;
  }
  const body: unknown = err.body;
  const parsed = typeof body === 'string' ? safeParse(body) : body;
  if (typeof parsed === 'object' && parsed !== null && 'message' in parsed) {
    const message = parsed.message;
    return typeof message === 'string' ? message : undefined;
  }
  return undefined;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // A body that is not JSON has no Status message to read.
    return undefined;
  }
}

/**
 * Returns a one-line description of a failed request, with a hint for the statuses whose cause is
 * usually outside the operator: 404 on a list means the CRD is not installed, 403 means RBAC.
 */
export function describeApiError(err: unknown, action: string): string {
  const code = httpStatusOf(err);
  const detail = statusMessage(err) ?? (err instanceof Error ? err.message : String(err));
  if (code === HttpStatus.NotFound && action.startsWith('list')) {
    return `failed to ${action}: 404 Not Found; is its CRD installed? (${detail})`;
  }
  if (code === HttpStatus.Forbidden) {
    return `failed to ${action}: 403 Forbidden; check the operator's RBAC rules (${detail})`;
  }
  return code === undefined
    ? `failed to ${action}: ${detail}`
    : `failed to ${action}: HTTP ${code} (${detail})`;
}

/** Returns the delay that a 429 response asks for in its Retry-After header, in milliseconds. */
export function retryAfterMs(err: unknown): number | undefined {
  if (!(err instanceof ApiException)) {
    return undefined;
  }
  const header = err.headers['retry-after'] ?? err.headers['Retry-After'];
  const seconds = header === undefined ? Number.NaN : Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}
