/**
 * The waits that a request may set before it is served. One is for the index to reach a
 * resourceVersion: `minResourceVersion`, or the first page's resourceVersion in a `continue`
 * token from another replica. The other is for the result of its query to change
 * (`waitForChange`). One `WaitBudget` per request spreads its `timeout` over both.
 */
import type { ServiceQuery } from '../query/model.ts';
import { DEFAULT_WAIT_TIMEOUT_MS } from './consistency-parameters.ts';
import type { ContinueToken } from './continue-token.ts';
import type { RouteContext } from './route-types.ts';
import { resourceVersionTimeout, serviceUnavailable, type StatusError } from './status.ts';

/** The time that one request may spend waiting, from its `timeout` or the default. */
export class WaitBudget {
  /** The whole budget, in milliseconds. */
  readonly timeoutMs: number;
  readonly #deadline: number;

  /** Starts the budget now; `timeoutMs` defaults to `DEFAULT_WAIT_TIMEOUT_MS` (30 s). */
  constructor(timeoutMs: number = DEFAULT_WAIT_TIMEOUT_MS) {
    this.timeoutMs = timeoutMs;
    this.#deadline = performance.now() + timeoutMs;
  }

  /** Returns the milliseconds left, 0 once the budget is spent. */
  remainingMs(): number {
    return Math.max(0, this.#deadline - performance.now());
  }
}

/** The resourceVersions that a request needs the index to have reached. */
export interface RequiredVersions {
  readonly minResourceVersion?: bigint;
  readonly continueToken?: ContinueToken;
}

/**
 * Waits until the watermark reaches both `minResourceVersion` and the resourceVersion of the
 * `continue` token, the higher first. Returns true when the request had to wait.
 *
 * @throws StatusError 504 `Timeout` when the budget runs out first, naming the watermark and the
 *   expected version, and 503 `ServiceUnavailable` when the server shuts down meanwhile.
 */
export async function waitForRequiredVersions(
  context: RouteContext,
  signal: AbortSignal,
  required: RequiredVersions,
  budget: WaitBudget,
): Promise<boolean> {
  const targets: [string, bigint][] = [];
  if (required.minResourceVersion !== undefined) {
    targets.push(['minResourceVersion', required.minResourceVersion]);
  }

  if (required.continueToken !== undefined) {
    targets.push(['continue', BigInt(required.continueToken.resourceVersion)]);
  }

  // Waiting for the highest version waits for both.
  const [field, version] = targets.reduce<[string, bigint] | []>(
    (highest, target) => (highest[1] === undefined || target[1] > highest[1] ? target : highest),
    [],
  );
  if (field === undefined || version === undefined || context.watermarks.reached(version)) {
    return false;
  }

  const outcome = await counted(
    context,
    context.watermarks.waitFor(version, budget.remainingMs(), signal),
  );
  if (outcome === 'woken') {
    return true;
  }

  throw outcome === 'aborted'
    ? interrupted(String(version), context.index.watermark)
    : resourceVersionTimeout(field, String(version), context.index.watermark, budget.timeoutMs);
}

/**
 * Waits until the result of `query` changes after the result version `version`, the budget runs
 * out, or the request is aborted. The caller serves the current result in every case. A `version`
 * above the watermark is first waited for like `minResourceVersion`, because only then can this
 * replica compare its result with the client's. Returns at once when the replica cannot prove
 * that the result is unchanged since `version` (see `ResultVersions.waitForChange`).
 */
export async function waitForResultChange(
  context: RouteContext,
  signal: AbortSignal,
  query: ServiceQuery,
  version: bigint,
  budget: WaitBudget,
): Promise<void> {
  if (!context.watermarks.reached(version)) {
    const waiting = context.watermarks.waitFor(version, budget.remainingMs(), signal);
    if ((await counted(context, waiting)) !== 'woken') {
      return;
    }
  }

  const remainingMs = budget.remainingMs();
  await counted(context, context.resultVersions.waitForChange(query, version, remainingMs, signal));
}

/** Counts a wait in `waitingRequests` while it is in progress. */
async function counted<T>(context: RouteContext, wait: Promise<T>): Promise<T> {
  context.metrics.waitingRequests.inc();
  try {
    return await wait;
  } finally {
    context.metrics.waitingRequests.dec();
  }
}

function interrupted(expected: string, watermark: string): StatusError {
  return serviceUnavailable(
    `the server is shutting down while waiting for the index to reach resourceVersion ` +
      `${expected}; the watermark is ${watermark}. Retry on another replica`,
  );
}
